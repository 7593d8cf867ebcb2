#!/usr/bin/env python3
"""Reads every workout file runstrong wrote with Garmin's FIT SDK and checks
it against the sample it came from.

    check_workouts.py SAMPLE_DIR FIT_DIR

For each SAMPLE_DIR/NAME.json (SPEC's step format, or strength exercises)
FIT_DIR/NAME.fit must be a FIT file (is_fit, check_integrity: size and
CRC), decode with no error, be a workout of the right sport and name, and
hold exactly the workout steps the sample calls for, derived here from the
FIT profile's meaning (not from runstrong's code): time in s, distance in
m, speed targets in m/s from the pace range (the slower pace the lower
speed), heart-rate targets as bpm + 100, repeat steps pointing back at the
first step of their group.
"""

import json
import sys
from pathlib import Path

from garmin_fit_sdk import Decoder, Stream

INTENSITY = {"warm_up": "warmup", "work": "active", "recovery": "recovery",
             "cool_down": "cooldown", "walk": "recovery"}


def speed(pace_s_per_km):
    return round(1000 / pace_s_per_km, 3)


def plain_step(step):
    expected = {"intensity": INTENSITY[step["kind"]]}
    if "duration_s" in step:
        expected.update(duration_type="time", duration_time=float(step["duration_s"]))
    else:
        expected.update(duration_type="distance", duration_distance=float(step["distance_m"]))
    target = step.get("target", {})
    pace, hr = target.get("pace_s_per_km"), target.get("hr_bpm")
    if pace:
        expected.update(target_type="speed", custom_target_speed_low=speed(pace["max"]),
                        custom_target_speed_high=speed(pace["min"]))
        if hr:
            expected.update(secondary_target_type="heart_rate",
                            secondary_custom_target_heart_rate_low=hr["min"] + 100,
                            secondary_custom_target_heart_rate_high=hr["max"] + 100)
    elif hr:
        expected.update(target_type="heart_rate", custom_target_heart_rate_low=hr["min"] + 100,
                        custom_target_heart_rate_high=hr["max"] + 100)
    else:
        expected["target_type"] = "open"
    notes = ([f"RPE {target['rpe']}"] if "rpe" in target else []) + ([step["note"]] if "note" in step else [])
    if notes:
        expected["notes"] = " · ".join(notes)
    return expected


def run_steps(steps):
    out = []
    for step in steps:
        if step["kind"] == "repeat":
            first = len(out)
            out.extend(plain_step(inner) for inner in step["steps"])
            out.append({"duration_type": "repeat_until_steps_cmplt", "duration_step": first,
                        "repeat_steps": step["times"]})
        else:
            out.append(plain_step(step))
    return out


def strength_steps(exercises):
    out = []
    for exercise in exercises:
        first = len(out)
        step = {"wkt_step_name": exercise["name"], "intensity": "active"}
        if "reps" in exercise:
            step.update(duration_type="reps", duration_reps=exercise["reps"])
        elif "hold_s" in exercise:
            step.update(duration_type="time", duration_time=float(exercise["hold_s"]))
        else:
            step["duration_type"] = "open"
        out.append(step)
        if exercise["sets"] > 1:
            if exercise.get("rest_s", 0) > 0:
                out.append({"wkt_step_name": "Rest", "intensity": "rest", "duration_type": "time",
                            "duration_time": float(exercise["rest_s"])})
            out.append({"duration_type": "repeat_until_steps_cmplt", "duration_step": first,
                        "repeat_steps": exercise["sets"]})
    return out


def cut(text, size):
    """The longest start of `text` that fits `size` bytes of UTF-8 (runstrong
    writes names in a 51-byte FIT string field: 50 bytes and the NUL)."""
    return text.encode()[:size].decode(errors="ignore")


def check(sample_path, fit_path):
    sample = json.loads(sample_path.read_text())
    problems = []
    if not Decoder(Stream.from_file(str(fit_path))).is_fit():
        return ["not a FIT file"]
    if not Decoder(Stream.from_file(str(fit_path))).check_integrity():
        return ["integrity check failed (size or CRC)"]
    messages, errors = Decoder(Stream.from_file(str(fit_path))).read()
    if errors:
        return [f"decoder errors: {errors}"]
    file_id = messages["file_id_mesgs"][0]
    if file_id["type"] != "workout":
        problems.append(f"file type {file_id['type']}")
    workout = messages["workout_mesgs"][0]
    steps = messages["workout_step_mesgs"]
    if "run" in sample:
        expected, sport = run_steps(sample["run"]), ("running", "generic")
    else:
        expected, sport = strength_steps(sample["strength"]), ("training", "strength_training")
    if (workout["sport"], workout["sub_sport"]) != sport:
        problems.append(f"sport {workout['sport']}/{workout['sub_sport']}, expected {sport}")
    if workout["wkt_name"] != cut(sample["name"], 50):
        problems.append(f"name {workout['wkt_name']!r}")
    if workout["num_valid_steps"] != len(steps):
        problems.append(f"num_valid_steps {workout['num_valid_steps']} for {len(steps)} steps")
    if len(steps) != len(expected):
        return problems + [f"{len(steps)} steps, expected {len(expected)}"]
    for index, (got, want) in enumerate(zip(steps, expected)):
        if got["message_index"] != index:
            problems.append(f"step {index}: message_index {got['message_index']}")
        for key, value in want.items():
            if got.get(key) != value:
                problems.append(f"step {index}: {key} is {got.get(key)!r}, expected {value!r}")
        if "secondary_target_type" not in want and "secondary_target_type" in got:
            problems.append(f"step {index}: unexpected secondary target")
    return problems


def main(samples, fits):
    failed = 0
    samples = sorted(Path(samples).glob("*.json"))
    if not samples:
        print("no samples", file=sys.stderr)
        return 1
    for sample in samples:
        problems = check(sample, Path(fits) / f"{sample.stem}.fit")
        status = "ok" if not problems else "FAILED"
        print(f"{sample.stem}.fit: {status}")
        for problem in problems:
            print(f"    {problem}")
        failed += bool(problems)
    print(f"{len(samples) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
