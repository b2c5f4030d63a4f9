//! Reads an OpenMetrics exposition back into samples: a strict reader of the
//! subset `openmetrics::render` writes (tests, tools, and the shard checks).

/// One sample line read back: name, labels (unescaped) and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// Reads the sample lines of an exposition back (tests and tools): a strict
/// reader of the subset [`render`] writes, so a line that breaks it is an error
/// naming the line.
pub fn parse_samples(text: &str) -> Result<Vec<Sample>, String> {
    let mut samples = Vec::new();
    let mut eof = false;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if eof {
            return Err(format!("line {n}: text after # EOF"));
        }
        if line == "# EOF" {
            eof = true;
            continue;
        }
        if line.starts_with("# TYPE ") || line.starts_with("# HELP ") || line.starts_with("# UNIT ")
        {
            continue;
        }
        samples.push(parse_sample(line).map_err(|e| format!("line {n}: {e}: {line:?}"))?);
    }
    if !eof {
        return Err("no # EOF at the end".into());
    }
    Ok(samples)
}

fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line
        .find(['{', ' '])
        .ok_or("no value after the metric name")?;
    let name = &line[..name_end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    {
        return Err(format!("bad metric name {name:?}"));
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            }
            let eq = rest.find("=\"").ok_or("label without =\"")?;
            let key = rest[..eq].to_string();
            let mut value = String::new();
            let mut chars = rest[eq + 2..].char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        other => return Err(format!("bad escape {other:?}")),
                    },
                    '"' => {
                        end = Some(eq + 2 + i + 1);
                        break;
                    }
                    '\n' => return Err("raw line feed in a label value".into()),
                    c => value.push(c),
                }
            }
            let end = end.ok_or("unterminated label value")?;
            labels.push((key, value));
            rest = &rest[end..];
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
    }
    let value = rest
        .strip_prefix(' ')
        .ok_or("no space before the value")?
        .parse::<f64>()
        .map_err(|e| format!("bad value: {e}"))?;
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}
