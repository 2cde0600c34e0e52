//! The project kept in the browser (IndexedDB), so that a reload finds the
//! classes, every recorded example and the trained head.
//!
//! Database `playnet-webcam`: store `examples` holds one record per example
//! ([`Example::to_bytes`], under its numeric id), store `project` holds the
//! [`ProjectMeta`] JSON under `meta` and the head's bytes under `head`.
//! Examples are written one at a time as they are recorded, so recording
//! 2,000 of them never rewrites the whole set. What cannot be read back
//! (another version's record, a damaged one) is skipped with a note.

use playnet_webcam::examples::Example;
use playnet_webcam::project::ProjectMeta;
use wasm_bindgen::JsValue;

use crate::idb::Database;

const EXAMPLES: &str = crate::saved::WEBCAM.stores[0];
const PROJECT: &str = crate::saved::WEBCAM.stores[1];

/// What a reload finds.
#[derive(Default)]
pub struct Saved {
    pub meta: Option<ProjectMeta>,
    pub head: Option<Vec<u8>>,
    pub examples: Vec<(u32, Example)>,
    /// Records that could not be read.
    pub notes: Vec<String>,
}

/// The open store.
#[derive(Clone)]
pub struct Store {
    db: Database,
}

impl Store {
    pub async fn open() -> Result<Store, String> {
        Ok(Store {
            db: Database::open_place(&crate::saved::WEBCAM).await?,
        })
    }

    /// Everything saved.
    pub async fn load(&self) -> Result<Saved, String> {
        let mut saved = Saved::default();
        if let Some(bytes) = self.db.get(PROJECT, &"meta".into()).await? {
            match serde_json::from_slice::<ProjectMeta>(&bytes) {
                Ok(meta) => saved.meta = Some(meta),
                Err(e) => saved
                    .notes
                    .push(format!("the saved classes could not be read ({e})")),
            }
        }
        saved.head = self.db.get(PROJECT, &"head".into()).await?;
        let mut unreadable = 0;
        for (key, bytes) in self.db.all(EXAMPLES).await? {
            match (key.as_f64(), Example::from_bytes(&bytes)) {
                (Some(id), Ok(example)) => saved.examples.push((id as u32, example)),
                _ => unreadable += 1,
            }
        }
        if unreadable > 0 {
            saved
                .notes
                .push(format!("{unreadable} saved examples could not be read"));
        }
        Ok(saved)
    }

    pub async fn save_meta(&self, meta: &ProjectMeta) -> Result<(), String> {
        let json = serde_json::to_vec(meta).map_err(|e| e.to_string())?;
        self.db.put(PROJECT, &"meta".into(), &json).await
    }

    pub async fn save_head(&self, head: Option<&[u8]>) -> Result<(), String> {
        match head {
            Some(bytes) => self.db.put(PROJECT, &"head".into(), bytes).await,
            None => self.db.delete(PROJECT, &"head".into()).await,
        }
    }

    pub async fn put_example(&self, id: u32, example: &Example) -> Result<(), String> {
        self.db
            .put(EXAMPLES, &JsValue::from(id), &example.to_bytes())
            .await
    }

    pub async fn delete_example(&self, id: u32) -> Result<(), String> {
        self.db.delete(EXAMPLES, &JsValue::from(id)).await
    }

    /// Replaces every example (after removing a class or an import).
    pub async fn replace_examples(&self, examples: &[(u32, Example)]) -> Result<(), String> {
        self.db.clear(EXAMPLES).await?;
        for (id, example) in examples {
            self.put_example(*id, example).await?;
        }
        Ok(())
    }

    /// Forgets everything.
    pub async fn clear(&self) -> Result<(), String> {
        self.db.clear(EXAMPLES).await?;
        self.db.clear(PROJECT).await
    }
}
