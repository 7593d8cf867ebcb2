//! A streaming replica of a throwaway cluster: `pg_basebackup -R` from the
//! running primary (with a replication slot, so the primary keeps the WAL
//! a stopped replica still needs), started as a hot standby on a port of
//! its own.

use std::process::Command;

use super::{Cluster, TempDir, free_port};

/// The slot the replica streams from on its primary.
const SLOT: &str = "runstrong_fault_replica";

impl Cluster {
    /// A hot standby streaming from this cluster; stopped and deleted on
    /// drop like any cluster. Settings made with `ALTER SYSTEM` on the
    /// primary before this call come along (postgresql.auto.conf).
    pub fn streaming_replica(&self) -> Cluster {
        let dir = TempDir::new("pg-replica");
        if self.as_postgres_user {
            let status = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir.path)
                .status()
                .expect("run chown");
            assert!(status.success(), "chown the replica dir to postgres");
        }
        let replica = Cluster {
            dir,
            bin: self.bin.clone(),
            port: free_port(),
            as_postgres_user: self.as_postgres_user,
        };
        let output = replica
            .command("pg_basebackup")
            .arg("-D")
            .arg(replica.data_dir())
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            // -R: standby.signal and primary_conninfo; -C -S: the slot.
            .args([
                "-R",
                "-X",
                "stream",
                "-C",
                "-S",
                SLOT,
                "-c",
                "fast",
                "--no-sync",
            ])
            .output()
            .expect("run pg_basebackup");
        assert!(
            output.status.success(),
            "pg_basebackup failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        replica.start_again();
        replica
    }
}
