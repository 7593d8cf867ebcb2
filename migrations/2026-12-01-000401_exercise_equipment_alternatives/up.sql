-- Other complete kits an exercise can be done with, each on its own (a
-- goblet squat with a kettlebell instead of a dumbbell; a plank without a
-- mat): a JSON array of non-empty arrays of equipment values. The
-- exercise is available when `equipment`, or any one of these, is at hand.
ALTER TABLE exercises ADD COLUMN equipment_alternatives jsonb NOT NULL DEFAULT '[]'
    CHECK (
        jsonb_typeof(equipment_alternatives) = 'array'
        AND NOT jsonb_path_exists(equipment_alternatives,
            'strict $[*] ? (@.type() != "array" || @.size() == 0)')
        AND NOT jsonb_path_exists(equipment_alternatives,
            'strict $[*][*] ? (@.type() != "string" || !(@ like_regex "^(none|dumbbell|kettlebell|medicine_ball|resistance_band|cable_machine|box|bench|barbell|step|stability_ball|pull_up_bar|mat)$"))')
    );
