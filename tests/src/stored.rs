//! What a page keeps in the browser's IndexedDB, read and written from a
//! test: the headers of Playnet's records (`crates/app/src/saved.rs`:
//! `PNRC`, a u16 format, a u32 header length, the header JSON, the
//! payload), records of a format the page does not read, and a store that
//! is full.

use serde_json::Value;

use crate::{Browser, Result};

/// The header of every record in `store` of database `db`, as JSON, with
/// the record's format version added as `"format"`; `[]` when the
/// database or store is not there yet.
pub fn headers(browser: &Browser, db: &str, store: &str) -> Result<Vec<Value>> {
    let value = browser.execute_async(
        "const [name, store, done] = arguments; \
         const open = indexedDB.open(name); \
         open.onerror = () => done([]); \
         open.onsuccess = () => { \
           const db = open.result; \
           if (!db.objectStoreNames.contains(store)) { db.close(); return done([]); } \
           const all = db.transaction(store).objectStore(store).getAll(); \
           all.onerror = () => { db.close(); done([]); }; \
           all.onsuccess = () => { \
             db.close(); \
             done(all.result.map((bytes) => { \
               const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength); \
               const format = view.getUint16(4, true); \
               const length = view.getUint32(6, true); \
               const json = new TextDecoder().decode(bytes.subarray(10, 10 + length)); \
               try { return Object.assign(JSON.parse(json), { format }); } \
               catch (e) { return { format, unreadable: String(e) }; } \
             })); \
           }; \
         };",
        &[db.into(), store.into()],
    )?;
    Ok(value.as_array().cloned().unwrap_or_default())
}

/// Writes a record of format `format` with `header` (JSON text) and no
/// payload under `key` (the database must exist: open its page first).
pub fn put_record(
    browser: &Browser,
    db: &str,
    store: &str,
    key: &str,
    format: u16,
    header: &str,
) -> Result<()> {
    let result = browser.execute_async(
        "const [name, store, key, format, header, done] = arguments; \
         const json = new TextEncoder().encode(header); \
         const bytes = new Uint8Array(10 + json.length); \
         bytes.set([80, 78, 82, 67]); \
         const view = new DataView(bytes.buffer); \
         view.setUint16(4, format, true); \
         view.setUint32(6, json.length, true); \
         bytes.set(json, 10); \
         const open = indexedDB.open(name); \
         open.onerror = () => done('cannot open ' + name); \
         open.onsuccess = () => { \
           const db = open.result; \
           const put = db.transaction(store, 'readwrite').objectStore(store).put(bytes, key); \
           put.onsuccess = () => { db.close(); done(null); }; \
           put.onerror = () => { db.close(); done(String(put.error)); }; \
         };",
        &[
            db.into(),
            store.into(),
            key.into(),
            format.into(),
            header.into(),
        ],
    )?;
    match result.as_str() {
        Some(why) => Err(crate::Error::new(format!("writing the record: {why}"))),
        None => Ok(()),
    }
}

/// From now on every write to IndexedDB in this tab fails as a full store
/// does (`QuotaExceededError`), until the page reloads.
pub fn fill_the_store(browser: &Browser) -> Result<()> {
    browser.execute(
        "IDBObjectStore.prototype.put = function () { \
           throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); \
         }; return null;",
        &[],
    )?;
    Ok(())
}
