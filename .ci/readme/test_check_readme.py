"""How check_readme.py cuts README.md into commands and finds the statuses
it states (no service needed; .ci/readme/run runs these first)."""

import unittest

from check_readme import ReadmeError, commands_of, readme_commands


def cut(text: str) -> list[tuple[int, str, int | None]]:
    return [(c.line, c.text, c.status) for c in commands_of(text.strip("\n").splitlines(), 1)]


class CommandsTest(unittest.TestCase):
    def test_a_status_on_the_next_line_or_the_same_line_belongs_to_the_command(self):
        commands = cut(
            """
# A description is not a status
curl -s http://x/a
# → 201 with Location
curl -s http://x/b   # 304
curl -s http://x/c
# 3 sessions are not a status of the next command
"""
        )
        self.assertEqual([status for _, _, status in commands], [201, 304, None])

    def test_continuations_quotes_pipes_and_here_documents_stay_one_command(self):
        commands = cut(
            """
ID=$(curl -s -X POST http://x/a -H 'A: b' \\
  -d @- <<EOF | json id
{"date": "$(date -d "$START +6 days" +%F)", "note": "a # in JSON"}
EOF
)
# → 201
python3 -c 'import json
print(1)' |
  curl -s http://x/b --data-binary @-
curl -s http://x/c && \\
  curl -s http://x/d
"""
        )
        self.assertEqual([(line, status) for line, _, status in commands], [(1, 201), (7, None), (10, None)])
        self.assertTrue(commands[0][1].endswith("\n)"), commands[0][1])

    def test_a_status_after_a_blank_line_is_refused_not_ignored(self):
        with self.assertRaisesRegex(ReadmeError, "must follow its command"):
            cut("curl -s http://x/a\n\n# → 200\n")

    def test_an_unfinished_command_is_refused(self):
        with self.assertRaisesRegex(ReadmeError, "never ends"):
            cut("curl -s -d '{\"a\": 1\n")


class ReadmeTest(unittest.TestCase):
    def test_only_sh_blocks_without_the_skip_marker_run(self):
        readme = "\n".join(
            [
                "<!-- readme-check: skip -->",
                "```sh",
                "cargo run --release",
                "```",
                "```",
                "backend x",
                "```",
                "```sh",
                "curl -s http://x/a  # → 200",
                "```",
            ]
        )
        commands = readme_commands(readme)
        self.assertEqual([(c.line, c.text, c.status) for c in commands], [(9, "curl -s http://x/a  # → 200", 200)])

    def test_placeholders_are_refused(self):
        with self.assertRaisesRegex(ReadmeError, "placeholder <plan_id>"):
            readme_commands("```sh\ncurl -s http://x/plans/<plan_id>\n```\n")


if __name__ == "__main__":
    unittest.main()
