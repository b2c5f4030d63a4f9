//! Order statistics the metrics share.

/// Median in milliseconds; an even count takes the mean of the two middle values.
pub fn median_ms(values: &mut [i64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (_, &mut upper, _) = values.select_nth_unstable(n / 2);
    if n % 2 == 1 {
        return Some(upper as f64);
    }
    let lower = values[..n / 2].iter().copied().max().unwrap_or(upper);
    Some((lower as f64 + upper as f64) / 2.0)
}
