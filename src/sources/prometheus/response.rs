//! Prometheus HTTP API responses decoded: samples, series and their alignment to the steps.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::PromError;
use crate::model::Time;
use crate::util::text::redact_url;

/// One sample of an instant vector (or a scalar).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: BTreeMap<String, String>,
    pub time: f64,
    /// As Prometheus sent it: NaN and ±Inf included.
    pub value: f64,
}

/// One series of a range query, aligned to the requested steps: a step the
/// server left out (no sample there) is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(f64, Option<f64>)>,
}

impl Series {
    /// Mean of the finite points; `None` when there is none.
    pub fn mean(&self) -> Option<f64> {
        let finite: Vec<f64> = self
            .points
            .iter()
            .filter_map(|p| p.1)
            .filter(|v| v.is_finite())
            .collect();
        (!finite.is_empty()).then(|| finite.iter().sum::<f64>() / finite.len() as f64)
    }
}

/// A matrix series as sent: labels and (time, value) pairs.
pub type RawSeries = (BTreeMap<String, String>, Vec<(f64, f64)>);

/// The `data` of a successful response.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    Vector(Vec<Sample>),
    Matrix(Vec<RawSeries>),
}

fn parse_value(v: &Value) -> Option<(f64, f64)> {
    let pair = v.as_array()?;
    let t = pair.first()?.as_f64()?;
    // Prometheus sends values as strings: "1", "NaN", "+Inf", "-Inf".
    let raw = pair.get(1)?.as_str()?;
    let value = match raw {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    Some((t, value))
}

fn labels(v: &Value) -> BTreeMap<String, String> {
    v.get("metric")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a response body; `status` is the HTTP status.
pub fn parse_response(url: &str, status: u16, body: &str) -> Result<QueryData, PromError> {
    let url = redact_url(url);
    let url = url.as_str();
    let doc = parse_json(url, status, body)?;
    check_success(&doc, url, status, body)?;
    let data = doc.get("data").ok_or_else(|| decode(url, "no data"))?;
    let result = data
        .get("result")
        .ok_or_else(|| decode(url, "no data.result"))?;
    match data.get("resultType").and_then(Value::as_str) {
        Some("vector") => parse_vector(url, result).map(QueryData::Vector),
        Some("scalar") => parse_scalar(url, result).map(|s| QueryData::Vector(vec![s])),
        Some("matrix") => parse_matrix(url, result).map(QueryData::Matrix),
        other => Err(decode(url, &format!("unsupported resultType {other:?}"))),
    }
}

/// A response that says its body is not what was expected.
fn decode(url: &str, detail: &str) -> PromError {
    PromError::Decode {
        url: url.into(),
        detail: detail.into(),
    }
}

/// The body as JSON; a body that is not JSON is an HTTP error when the
/// status says so (a proxy's error page), else a decode error.
fn parse_json(url: &str, status: u16, body: &str) -> Result<Value, PromError> {
    serde_json::from_str(body).map_err(|e| {
        if status >= 400 {
            PromError::Http {
                url: url.into(),
                status,
                detail: snippet(body),
            }
        } else {
            decode(url, &format!("not JSON ({e})"))
        }
    })
}

/// `Ok` for `"status": "success"`; otherwise the API's own error when it
/// gave one, else the HTTP status, else a decode error.
fn check_success(doc: &Value, url: &str, status: u16, body: &str) -> Result<(), PromError> {
    if doc.get("status").and_then(Value::as_str) == Some("success") {
        return Ok(());
    }
    if let Some(error) = doc.get("error").and_then(Value::as_str) {
        return Err(PromError::Api {
            url: url.into(),
            kind: doc
                .get("errorType")
                .and_then(Value::as_str)
                .unwrap_or("error")
                .to_string(),
            detail: snippet(error),
        });
    }
    if status >= 400 {
        return Err(PromError::Http {
            url: url.into(),
            status,
            detail: snippet(body),
        });
    }
    Err(decode(url, "no \"status\": \"success\""))
}

/// `resultType: vector`: one `[time, "value"]` per series.
fn parse_vector(url: &str, result: &Value) -> Result<Vec<Sample>, PromError> {
    let mut out = Vec::new();
    for s in result
        .as_array()
        .ok_or_else(|| decode(url, "result is not a list"))?
    {
        let (time, value) = s
            .get("value")
            .and_then(parse_value)
            .ok_or_else(|| decode(url, "a sample has no [time, \"value\"]"))?;
        out.push(Sample {
            labels: labels(s),
            time,
            value,
        });
    }
    Ok(out)
}

/// `resultType: scalar`: a single `[time, "value"]`, without labels.
fn parse_scalar(url: &str, result: &Value) -> Result<Sample, PromError> {
    let (time, value) = parse_value(result).ok_or_else(|| decode(url, "bad scalar"))?;
    Ok(Sample {
        labels: BTreeMap::new(),
        time,
        value,
    })
}

/// `resultType: matrix`: a list of `[time, "value"]` per series.
fn parse_matrix(url: &str, result: &Value) -> Result<Vec<RawSeries>, PromError> {
    let mut out = Vec::new();
    for s in result
        .as_array()
        .ok_or_else(|| decode(url, "result is not a list"))?
    {
        let values = s
            .get("values")
            .and_then(Value::as_array)
            .ok_or_else(|| decode(url, "a series has no values"))?;
        let points = values
            .iter()
            .map(|v| parse_value(v).ok_or_else(|| decode(url, "bad [time, \"value\"] pair")))
            .collect::<Result<Vec<_>, _>>()?;
        out.push((labels(s), points));
    }
    Ok(out)
}

/// Aligns a series' points to `start + k * step` up to `end`; missing steps are `None`.
pub fn align(points: &[(f64, f64)], start: f64, end: f64, step: f64) -> Vec<(f64, Option<f64>)> {
    if step <= 0.0 || end < start {
        return points.iter().map(|&(t, v)| (t, Some(v))).collect();
    }
    let n = ((end - start) / step).floor() as usize + 1;
    let mut out: Vec<(f64, Option<f64>)> =
        (0..n).map(|k| (start + k as f64 * step, None)).collect();
    for &(t, v) in points {
        let k = ((t - start) / step).round();
        if k >= 0.0 && (k as usize) < n && (start + k * step - t).abs() < step / 2.0 {
            out[k as usize].1 = Some(v);
        }
    }
    out
}

pub(super) fn snippet(s: &str) -> String {
    let clean = crate::util::text::sanitize(s.trim());
    let mut out: String = clean.chars().take(200).collect();
    if clean.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// When a response says a value was taken (seconds since the epoch).
pub fn sample_time(t: f64) -> Option<Time> {
    DateTime::<Utc>::from_timestamp_millis((t * 1000.0).round() as i64)
}
