//! IndexedDB, as little of it as the pages need: one database per page,
//! object stores of byte values under numeric or string keys, and each
//! request awaited as a future.
//!
//! `localStorage` holds about 5 MB of strings; a webcam project of 2,000
//! examples is some 10 MB of embeddings, so what must survive a reload goes
//! here. Every failure is a message for the page to show (storage off in a
//! private window, quota exceeded), never a panic.

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransactionMode};

use crate::fetch::describe;

/// An open database.
#[derive(Clone)]
pub struct Database {
    db: IdbDatabase,
}

/// A request's result, awaited. The two handlers live only until the
/// request settles, then both are detached and freed: a handler made with
/// `Closure::once_into_js` that never runs (the error handler of every
/// request that succeeds) would leak itself, the request and its promise,
/// two listeners per request, every autosave.
async fn settle(request: &IdbRequest) -> Result<JsValue, String> {
    let mut settlers = None;
    let promise = Promise::new(&mut |resolve, reject| settlers = Some((resolve, reject)));
    let (resolve, reject) =
        settlers.ok_or("the browser did not start the IndexedDB request's promise")?;
    let ok = request.clone();
    let on_success = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
    });
    let failed = request.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let why = failed
            .error()
            .ok()
            .flatten()
            .map_or_else(|| "unknown error".to_string(), |e| e.message());
        let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&why));
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let result = JsFuture::from(promise).await.map_err(|e| describe(&e));
    request.set_onsuccess(None);
    request.set_onerror(None);
    drop((on_success, on_error));
    result
}

impl Database {
    /// Opens (creating or upgrading to `version`) the database `name` with
    /// these object stores (out-of-line keys).
    pub async fn open(name: &str, version: u32, stores: &[&str]) -> Result<Database, String> {
        let factory = web_sys::window()
            .ok_or("no window")?
            .indexed_db()
            .map_err(|e| describe(&e))?
            .ok_or("this browser keeps no IndexedDB (a private window?)")?;
        let request = factory
            .open_with_u32(name, version)
            .map_err(|e| describe(&e))?;
        let names: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
        let upgrading = request.clone();
        let on_upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
                return;
            };
            let existing = db.object_store_names();
            for name in &names {
                if !existing.contains(name) {
                    let _ = db.create_object_store(name);
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let result = settle(&request).await;
        request.set_onupgradeneeded(None);
        drop(on_upgrade);
        let db = result?
            .dyn_into::<IdbDatabase>()
            .map_err(|_| "IndexedDB gave no database".to_string())?;
        Ok(Database { db })
    }

    /// Opens one of the pages' databases ([`crate::saved::PLACES`]).
    pub async fn open_place(place: &crate::saved::Place) -> Result<Database, String> {
        Database::open(place.name, place.version, place.stores).await
    }

    fn store(&self, name: &str, mode: IdbTransactionMode) -> Result<IdbObjectStore, String> {
        self.db
            .transaction_with_str_and_mode(name, mode)
            .and_then(|t| t.object_store(name))
            .map_err(|e| describe(&e))
    }

    /// Stores `bytes` under `key` (a number or a string), replacing any.
    pub async fn put(&self, store: &str, key: &JsValue, bytes: &[u8]) -> Result<(), String> {
        let value = Uint8Array::from(bytes);
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .put_with_key(&value, key)
            .map_err(|e| describe(&e))?;
        settle(&request).await.map(|_| ())
    }

    /// The bytes under `key`, if any.
    pub async fn get(&self, store: &str, key: &JsValue) -> Result<Option<Vec<u8>>, String> {
        let request = self
            .store(store, IdbTransactionMode::Readonly)?
            .get(key)
            .map_err(|e| describe(&e))?;
        let value = settle(&request).await?;
        Ok(value.dyn_ref::<Uint8Array>().map(Uint8Array::to_vec))
    }

    /// Every `(key, bytes)` of a store, in key order.
    pub async fn all(&self, store: &str) -> Result<Vec<(JsValue, Vec<u8>)>, String> {
        let object_store = self.store(store, IdbTransactionMode::Readonly)?;
        let keys = settle(&object_store.get_all_keys().map_err(|e| describe(&e))?).await?;
        let values = settle(&object_store.get_all().map_err(|e| describe(&e))?).await?;
        let (keys, values) = (Array::from(&keys), Array::from(&values));
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(k, v)| Some((k, v.dyn_ref::<Uint8Array>()?.to_vec())))
            .collect())
    }

    /// Removes `key` from a store.
    pub async fn delete(&self, store: &str, key: &JsValue) -> Result<(), String> {
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .delete(key)
            .map_err(|e| describe(&e))?;
        settle(&request).await.map(|_| ())
    }

    /// Empties a store.
    pub async fn clear(&self, store: &str) -> Result<(), String> {
        let request = self
            .store(store, IdbTransactionMode::Readwrite)?
            .clear()
            .map_err(|e| describe(&e))?;
        settle(&request).await.map(|_| ())
    }
}
