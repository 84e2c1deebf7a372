"""Precision and recall over the labelled test set (moderation/data/testset.jsonl), with the targets
of issue 4. The table is printed (run with -s to see it) and written to var/screening-quality.md."""

from pathlib import Path

from moderation.screening.evaluate import evaluate, load, table


def test_the_test_set_is_large_enough_and_covers_every_code_and_signal():
    rows = load()
    assert len(rows) >= 300
    labels = {label for row in rows for label in row["labels"]}
    assert labels >= {"fortal", "hets", "vald_porr", "brott", "upphovsratt", "svordomar", "personuppgifter",
                      "sekretess", "politisk", "fraga", "arende"}


def test_screening_meets_the_quality_targets_on_the_test_set():
    result = evaluate()
    text = table(result)
    print("\n" + text)
    out = Path(__file__).resolve().parents[2] / "var" / "screening-quality.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    scores = result["scores"]
    assert result["pnr_recall"] >= 0.95
    for code in ("svordomar", "brott", "hets", "fortal"):
        assert scores[code].recall >= 0.8, code
    assert result["overall_precision"] >= 0.8
    assert result["clean_flag_rate"] <= 0.05
