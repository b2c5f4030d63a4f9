//! Which format a document is, from its content alone.

use serde_json::Value;

use super::Format;

/// The format of `doc`, or `None` when it is none of the four.
///
/// - SARIF: an object with a `runs` array (any `version`).
/// - Trivy: an object with `Results` or `SchemaVersion` + `ArtifactName`.
/// - ASFF: an object with a `Findings` array (GetFindings / BatchImportFindings),
///   a list of findings, or one finding (`ProductArn`, `AwsAccountId`, `GeneratorId`).
/// - OCSF: an event (or list of events) with `class_uid` or `finding_info`.
pub fn detect(doc: &Value) -> Option<Format> {
    match doc {
        Value::Object(o) => {
            if o.get("runs").is_some_and(Value::is_array) {
                Some(Format::Sarif)
            } else if o.get("Results").is_some()
                || (o.contains_key("SchemaVersion") && o.contains_key("ArtifactName"))
            {
                Some(Format::Trivy)
            } else if o.get("Findings").is_some_and(Value::is_array) {
                Some(Format::Asff)
            } else {
                item_format(doc)
            }
        }
        // An empty list is a valid, empty finding list of any list format.
        Value::Array(items) if items.is_empty() => Some(Format::Ocsf),
        Value::Array(items) => items.iter().take(8).find_map(item_format),
        _ => None,
    }
}

/// The format of one finding object.
fn item_format(v: &Value) -> Option<Format> {
    let o = v.as_object()?;
    if o.contains_key("class_uid") || o.contains_key("finding_info") {
        Some(Format::Ocsf)
    } else if o.contains_key("ProductArn")
        || o.contains_key("AwsAccountId")
        || (o.contains_key("GeneratorId") && o.contains_key("Severity"))
    {
        Some(Format::Asff)
    } else {
        None
    }
}
