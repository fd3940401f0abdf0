//! Typed model of BuildKit's `SolveStatus` as buildx prints it with `--progress=rawjson`.
//!
//! buildx encodes `github.com/moby/buildkit/client.SolveStatus` with Go's `encoding/json`
//! (`omitempty` on every field, `[]byte` as standard base64, times as RFC 3339 with
//! nanoseconds). Every field is optional here: an absent field, or an explicit `null`,
//! takes its zero value, and unknown fields are ignored, so newer buildx versions that add
//! fields keep parsing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A point in time taken from the stream (RFC 3339, nanosecond precision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Parses an RFC 3339 time as Go's `time.Time` marshals it.
    pub fn parse(text: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Timestamp(t.with_timezone(&Utc)))
    }

    /// Time elapsed from `earlier` to `self`; zero when `earlier` is later.
    pub fn since(&self, earlier: &Timestamp) -> std::time::Duration {
        (self.0 - earlier.0).to_std().unwrap_or_default()
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text)
            .ok_or_else(|| de::Error::custom(format!("invalid timestamp {text:?}")))
    }
}

/// One status update: `client.SolveStatus`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SolveStatus {
    #[serde(deserialize_with = "nullable")]
    pub vertexes: Vec<Vertex>,
    #[serde(deserialize_with = "nullable")]
    pub statuses: Vec<VertexStatus>,
    #[serde(deserialize_with = "nullable")]
    pub logs: Vec<VertexLog>,
    #[serde(deserialize_with = "nullable")]
    pub warnings: Vec<VertexWarning>,
}

/// A node of the build graph: `client.Vertex`. buildx sends a vertex again each time its
/// state changes (known, started, completed); every message carries the full state.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Vertex {
    #[serde(deserialize_with = "nullable")]
    pub digest: String,
    #[serde(deserialize_with = "nullable")]
    pub inputs: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    #[serde(deserialize_with = "nullable")]
    pub cached: bool,
    #[serde(deserialize_with = "nullable")]
    pub error: String,
    pub progress_group: Option<ProgressGroup>,
}

/// `pb.ProgressGroup`: vertices shown together (for example one per platform).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ProgressGroup {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub weak: bool,
}

/// Progress of one sub-task of a vertex (a layer download, an export): `client.VertexStatus`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct VertexStatus {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub vertex: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub total: i64,
    #[serde(deserialize_with = "nullable")]
    pub current: i64,
    pub timestamp: Option<Timestamp>,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
}

/// Output of a vertex: `client.VertexLog`. `stream` is 1 for stdout, 2 for stderr.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct VertexLog {
    #[serde(deserialize_with = "nullable")]
    pub vertex: String,
    #[serde(deserialize_with = "nullable")]
    pub stream: i64,
    #[serde(deserialize_with = "bytes", serialize_with = "ser_bytes")]
    pub data: Vec<u8>,
    pub timestamp: Option<Timestamp>,
}

/// A build warning (BuildKit ≥ 0.11): `client.VertexWarning`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VertexWarning {
    #[serde(deserialize_with = "nullable")]
    pub vertex: String,
    #[serde(deserialize_with = "nullable")]
    pub level: i64,
    #[serde(deserialize_with = "bytes", serialize_with = "ser_bytes")]
    pub short: Vec<u8>,
    #[serde(deserialize_with = "bytes_list")]
    pub detail: Vec<Vec<u8>>,
    #[serde(deserialize_with = "nullable")]
    pub url: String,
    /// `pb.SourceInfo`, kept as raw JSON.
    pub source_info: Option<serde_json::Value>,
    /// `[]*pb.Range`, kept as raw JSON.
    pub range: Option<serde_json::Value>,
}

impl VertexWarning {
    /// The one-line message (`short`), decoded lossily.
    pub fn short_text(&self) -> String {
        String::from_utf8_lossy(&self.short).into_owned()
    }
}

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn decode_b64<E: de::Error>(text: &str) -> Result<Vec<u8>, E> {
    STANDARD
        .decode(text)
        .map_err(|e| E::custom(format!("invalid base64: {e}")))
}

fn bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Vec::new()),
        Some(text) => decode_b64(&text),
    }
}

fn bytes_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
    Option::<Vec<Option<String>>>::deserialize(d)?
        .unwrap_or_default()
        .into_iter()
        .map(|t| decode_b64(t.as_deref().unwrap_or("")))
        .collect()
}

fn ser_bytes<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&STANDARD.encode(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_go_encoding() {
        let text = r#"{
  "vertexes": [
    {
      "digest": "sha256:aa",
      "inputs": ["sha256:bb"],
      "name": "[a 2/3] RUN make",
      "started": "2024-03-20T10:00:00.123456789Z",
      "completed": "2024-03-20T11:00:01.5+01:00",
      "cached": true,
      "progressGroup": {"id": "g", "name": "grp", "weak": true}
    }
  ],
  "statuses": null,
  "logs": [{"vertex": "sha256:aa", "stream": 2, "data": "aGkK", "timestamp": "2024-03-20T10:00:00Z"}],
  "warnings": [{"vertex": "sha256:aa", "level": 1, "short": "d2Fybg==", "detail": ["eA==", null], "sourceInfo": {"filename": "Dockerfile"}}],
  "future": 1
}"#;
        let s: SolveStatus = serde_json::from_str(text).unwrap();
        let v = &s.vertexes[0];
        assert_eq!(v.inputs, ["sha256:bb"]);
        assert!(v.cached);
        assert_eq!(v.progress_group.as_ref().unwrap().name, "grp");
        let started = v.started.unwrap();
        let completed = v.completed.unwrap();
        assert_eq!(
            completed.since(&started),
            std::time::Duration::from_nanos(1_376_543_211)
        );
        assert_eq!(started.since(&completed), std::time::Duration::ZERO);
        assert!(s.statuses.is_empty());
        assert_eq!(s.logs[0].data, b"hi\n");
        assert_eq!(s.warnings[0].short_text(), "warn");
        assert_eq!(s.warnings[0].detail, vec![b"x".to_vec(), Vec::new()]);
        assert_eq!(started.to_string(), "2024-03-20T10:00:00.123456789Z");
    }

    #[test]
    fn rejects_bad_base64_and_times() {
        assert!(serde_json::from_str::<VertexLog>(r#"{"data":"%%%"}"#).is_err());
        assert!(serde_json::from_str::<Vertex>(r#"{"started":"yesterday"}"#).is_err());
    }
}
