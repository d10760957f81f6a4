//! The duration histogram buckets exactly as Go's `traceviewer.TimeHistogram`
//! (table written by `fixtures/reference-gen -histogram` with Go's math).

use std::io::Read;
use std::path::Path;

use analysis::tasks::TimeHistogram;
use serde_json::Value;

#[test]
fn buckets_equal_go() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/reference/timehistogram.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let thresholds: Vec<i64> = serde_json::from_value(v["thresholds"].clone()).unwrap();
    let bucket_min: Vec<i64> = serde_json::from_value(v["bucket_min"].clone()).unwrap();
    assert!(thresholds.len() > 90);
    for (i, &t) in thresholds.iter().enumerate() {
        // t is the first duration Go puts in bucket i+1 or above.
        assert_eq!(TimeHistogram::bucket_of(t), i + 1, "threshold {t}");
        assert_eq!(TimeHistogram::bucket_of(t - 1), i, "below threshold {t}");
    }
    for (i, &m) in bucket_min.iter().enumerate() {
        assert_eq!(TimeHistogram::bucket_min(i), m, "BucketMin({i})");
    }
}
