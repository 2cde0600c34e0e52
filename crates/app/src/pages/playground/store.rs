//! Playground sessions kept in this browser, so that a reload finds the
//! trained network, its epoch, its loss curve and the points a person
//! added, erased or uploaded.
//!
//! IndexedDB [`saved::PLAYGROUND`], store `sessions`: one [`saved`] record
//! (format [`FORMAT`]) per data set and network
//! ([`PlaygroundConfig::data_and_network_key`]), so two playgrounds embedded
//! in one lesson keep one each; at most [`KEEP`] are kept, the oldest go.
//! The header is a [`SavedSession`]; the payload is the network's
//! safetensors.

use playnet_data::{Point, Split};
use playnet_playground::{PlaygroundConfig, SavedModel};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::idb::Database;
use crate::saved::{self, RecordError};

/// The record format this page writes and reads.
pub const FORMAT: u16 = 1;

/// Sessions kept at most.
pub const KEEP: usize = 8;

const STORE: &str = saved::PLAYGROUND.stores[0];

/// Everything but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSession {
    /// When it was saved (ms since 1970).
    pub saved_at: f64,
    /// The exported model's JSON half (playground config and network).
    pub model_json: String,
    pub epoch: u64,
    pub train: Vec<Point>,
    pub test: Vec<Point>,
    /// The loss chart: `(epoch, train loss, test loss)`.
    pub history: Vec<(u64, f32, f32)>,
}

/// A session as stored: header and weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub session: SavedSession,
    pub safetensors: Vec<u8>,
}

impl Record {
    pub fn model(&self) -> SavedModel {
        SavedModel {
            json: self.session.model_json.clone(),
            safetensors: self.safetensors.clone(),
        }
    }

    pub fn split(&self) -> Split {
        Split {
            train: self.session.train.clone(),
            test: self.session.test.clone(),
        }
    }

    pub fn encode(&self) -> Result<Vec<u8>, String> {
        saved::encode(FORMAT, &self.session, &self.safetensors)
    }

    pub fn decode(bytes: &[u8]) -> Result<Record, RecordError> {
        saved::decode(bytes, FORMAT).map(|(session, weights)| Record {
            session,
            safetensors: weights.to_vec(),
        })
    }
}

/// The key a session of `config` is kept under.
pub fn key(config: &PlaygroundConfig) -> String {
    config.data_and_network_key()
}

/// The open store.
#[derive(Clone)]
pub struct Store {
    db: Database,
}

/// What the store holds for a page that opens.
pub struct Found {
    /// The session kept for the page's own data and network.
    pub own: Option<Record>,
    /// The most recently saved session of any.
    pub latest: Option<Record>,
    /// Records that could not be read.
    pub notes: Vec<String>,
}

impl Store {
    pub async fn open() -> Result<Store, String> {
        Ok(Store {
            db: Database::open_place(&saved::PLAYGROUND).await?,
        })
    }

    /// The session kept under `key`, the latest one, and notes on records
    /// that could not be read.
    pub async fn find(&self, key: &str) -> Result<Found, String> {
        let mut found = Found {
            own: None,
            latest: None,
            notes: Vec::new(),
        };
        for (k, bytes) in self.db.all(STORE).await? {
            match Record::decode(&bytes) {
                Ok(record) => {
                    let newer = found
                        .latest
                        .as_ref()
                        .is_none_or(|l| l.session.saved_at < record.session.saved_at);
                    if k.as_string().as_deref() == Some(key) {
                        found.own = Some(record.clone());
                    }
                    if newer {
                        found.latest = Some(record);
                    }
                }
                Err(e) => found
                    .notes
                    .push(format!("Ignored a playground saved in this browser: {e}.")),
            }
        }
        Ok(found)
    }

    /// Keeps `record` under `key`, then lets the oldest go past [`KEEP`].
    pub async fn save(&self, key: &str, record: &[u8]) -> Result<(), String> {
        self.db.put(STORE, &JsValue::from_str(key), record).await?;
        let mut kept: Vec<(JsValue, f64)> = self
            .db
            .all(STORE)
            .await?
            .into_iter()
            .map(|(k, bytes)| {
                let at = Record::decode(&bytes).map_or(0.0, |r| r.session.saved_at);
                (k, at)
            })
            .collect();
        if kept.len() > KEEP {
            kept.sort_by(|a, b| b.1.total_cmp(&a.1));
            for (k, _) in kept.split_off(KEEP) {
                self.db.delete(STORE, &k).await?;
            }
        }
        Ok(())
    }

    pub async fn forget(&self, key: &str) -> Result<(), String> {
        self.db.delete(STORE, &JsValue::from_str(key)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_reads_back_with_its_points_and_weights() {
        let record = Record {
            session: SavedSession {
                saved_at: 1.7e12,
                model_json: "{}".into(),
                epoch: 1234,
                train: vec![Point {
                    x: 1.0,
                    y: -2.0,
                    label: 1.0,
                }],
                test: vec![],
                history: vec![(1, 0.5, 0.6), (1234, 0.01, 0.02)],
            },
            safetensors: vec![7; 40],
        };
        let back = Record::decode(&record.encode().unwrap()).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.split().train.len(), 1);
    }
}
