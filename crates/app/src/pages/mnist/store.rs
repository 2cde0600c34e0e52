//! The MNIST lab's network kept in this browser, so that a reload finds it
//! at the step it had, with its curves and settings.
//!
//! IndexedDB [`saved::MNIST`], store `lab`, key `network`: one
//! [`saved`] record (format [`FORMAT`]) whose header is a [`SavedLab`] and
//! whose payload is the network's weights (the worker's [`Keepsafe`] copy,
//! sent every two seconds while training, on pause and after each test).

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use wasm_bindgen::JsValue;

use crate::idb::Database;
use crate::saved::{self, RecordError};
use crate::worker::protocol::{Keepsafe, Progress};

/// The record format this page writes and reads.
pub const FORMAT: u16 = 1;

const STORE: &str = saved::MNIST.stores[0];
const KEY: &str = "network";

/// Everything but the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedLab {
    /// When it was saved (ms since 1970).
    pub saved_at: f64,
    /// The preset it was trained as, if it was one.
    pub preset: Option<String>,
    /// The setup (network and training) as JSON.
    pub setup_json: String,
    pub seed: u32,
    pub step: u32,
    pub epoch: u32,
    /// The checkpoint's network config.
    pub config_json: String,
    /// The readouts at its step.
    pub readouts: Option<Progress>,
    /// The curves: `(step, loss, accuracy)`.
    pub train: Vec<(f64, f64, f64)>,
    pub test: Vec<(f64, f64, f64)>,
}

impl SavedLab {
    /// The worker's copy of the network this record holds.
    pub fn keepsafe(&self, weights: Vec<u8>) -> Keepsafe {
        Keepsafe {
            step: self.step,
            epoch: self.epoch,
            config_json: self.config_json.clone(),
            weights: ByteBuf::from(weights),
        }
    }
}

/// Writes a record.
pub fn encode(lab: &SavedLab, weights: &[u8]) -> Result<Vec<u8>, String> {
    saved::encode(FORMAT, lab, weights)
}

/// Reads a record back.
pub fn decode(bytes: &[u8]) -> Result<(SavedLab, Vec<u8>), RecordError> {
    saved::decode(bytes, FORMAT).map(|(lab, weights)| (lab, weights.to_vec()))
}

/// The open store.
#[derive(Clone)]
pub struct Store {
    db: Database,
}

impl Store {
    pub async fn open() -> Result<Store, String> {
        Ok(Store {
            db: Database::open_place(&saved::MNIST).await?,
        })
    }

    /// The saved network, or a note saying why the one there was ignored.
    pub async fn load(&self) -> Result<Option<(SavedLab, Vec<u8>)>, String> {
        let Some(bytes) = self.db.get(STORE, &JsValue::from_str(KEY)).await? else {
            return Ok(None);
        };
        decode(&bytes)
            .map(Some)
            .map_err(|e| format!("Ignored the network saved in this browser: {e}."))
    }

    pub async fn save(&self, record: &[u8]) -> Result<(), String> {
        self.db.put(STORE, &JsValue::from_str(KEY), record).await
    }

    pub async fn forget(&self) -> Result<(), String> {
        self.db.delete(STORE, &JsValue::from_str(KEY)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_lab_reads_back_with_its_weights() {
        let lab = SavedLab {
            saved_at: 1.7e12,
            preset: Some("conv".into()),
            setup_json: "{}".into(),
            seed: 3,
            step: 3400,
            epoch: 5,
            config_json: "{\"layers\":[]}".into(),
            readouts: Some(Progress {
                step: 3400,
                ..Progress::default()
            }),
            train: vec![(10.0, 2.3, 0.1), (3400.0, 0.05, 0.99)],
            test: vec![(3400.0, 0.04, 0.991)],
        };
        let bytes = encode(&lab, &[1, 2, 3, 4]).unwrap();
        let (back, weights) = decode(&bytes).unwrap();
        assert_eq!(back, lab);
        assert_eq!(weights, vec![1, 2, 3, 4]);
        assert_eq!(back.keepsafe(weights).step, 3400);
    }
}
