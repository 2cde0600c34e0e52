//! A whole project as ONE file to download and open again: the class names,
//! the settings, the trained head and (optionally) the recorded examples.
//!
//! The file is safetensors. Its `__metadata__` holds:
//!
//! | key | value |
//! |-----|-------|
//! | `format` | [`FORMAT`] (`playnet webcam project`) |
//! | `version` | [`VERSION`] (a decimal integer) |
//! | `extractor` | [`EXTRACTOR`]: the features the embeddings are |
//! | `meta` | [`ProjectMeta`] as JSON |
//!
//! and its tensors are:
//!
//! | name | dtype, shape | what |
//! |------|--------------|------|
//! | `head` | `U8 [bytes]` | [`crate::Head::to_bytes`], if trained |
//! | `embeddings` | `F32 [n, 1280]` | one row per example |
//! | `labels` | `U32 [n]` | each example's class index |
//! | `thumbnail_lengths` | `U32 [n]` | each example's thumbnail size in bytes |
//! | `thumbnails` | `U8 [total]` | the thumbnails, concatenated in order |
//!
//! The four example tensors are all present (with `n ≥ 1`) or all absent.
//! [`Project::from_bytes`] refuses, with the reason, anything it cannot use.

use std::collections::HashMap;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};

use crate::examples::MAX_THUMBNAIL;
use crate::game::Direction;
use crate::head::HeadInfo;
use crate::{EMBEDDING, EXTRACTOR, Example, HeadSettings, MAX_CLASSES, WebcamError};

/// The `format` a project file names.
pub const FORMAT: &str = "playnet webcam project";
/// The newest format version this crate reads and the one it writes.
pub const VERSION: u32 = 1;
/// Most examples a project may hold.
pub const MAX_EXAMPLES: usize = 5000;
/// Longest class name, in characters.
pub const MAX_NAME: usize = 40;

/// Which head predicts.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum HeadKind {
    /// The trained network ([`crate::Head`]).
    Dense,
    /// k-nearest neighbours on the examples ([`crate::knn_scores`]).
    Knn,
}

/// Everything about a project but its tensors.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProjectMeta {
    /// The class names, in class-index order.
    pub classes: Vec<String>,
    pub settings: HeadSettings,
    pub head_kind: HeadKind,
    /// The `k` of k-nearest neighbours.
    pub k: usize,
    /// Where each class steers the game (`None`: nowhere), in class order;
    /// files without it steer nowhere.
    #[serde(default)]
    pub directions: Vec<Option<Direction>>,
}

impl ProjectMeta {
    /// Refuses 0 or more than [`MAX_CLASSES`] classes, empty, duplicate or
    /// over-long class names, a `k` of 0 and bad settings.
    pub fn validate(&self) -> Result<(), WebcamError> {
        let bad = |why: String| Err(WebcamError::Project(why));
        let n = self.classes.len();
        if n == 0 {
            return bad("it has no classes".into());
        }
        if self.directions.len() > n {
            return bad(format!(
                "it gives {} classes' directions for {n} classes",
                self.directions.len()
            ));
        }
        if n > MAX_CLASSES {
            return bad(format!(
                "it has {n} classes; a project may have at most {MAX_CLASSES}"
            ));
        }
        for (i, name) in self.classes.iter().enumerate() {
            if name.trim().is_empty() {
                return bad(format!("class {} has no name", i + 1));
            }
            let chars = name.chars().count();
            if chars > MAX_NAME {
                return bad(format!(
                    "the name of class {} is {chars} characters long; at most {MAX_NAME} fit",
                    i + 1
                ));
            }
            if self.classes[..i].contains(name) {
                return bad(format!("two classes are both named {name:?}"));
            }
        }
        if self.k == 0 {
            return bad("its k for nearest neighbours is 0; it must be at least 1".into());
        }
        self.settings
            .validate()
            .map_err(|e| WebcamError::Project(e.to_string()))
    }
}

/// A whole project.
#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub meta: ProjectMeta,
    /// The trained head ([`crate::Head::to_bytes`]), if any.
    pub head: Option<Vec<u8>>,
    pub examples: Vec<Example>,
}

fn fail<T>(why: String) -> Result<T, WebcamError> {
    Err(WebcamError::Project(why))
}

impl Project {
    /// Checks everything [`Project::from_bytes`] checks.
    pub fn validate(&self) -> Result<(), WebcamError> {
        self.meta.validate()?;
        let classes = self.meta.classes.len();
        if let Some(head) = &self.head {
            let info = HeadInfo::read(head).map_err(|e| WebcamError::Project(e.to_string()))?;
            if info.classes != classes {
                return fail(format!(
                    "its trained model is for {} classes but the project has {classes}",
                    info.classes
                ));
            }
        }
        if self.examples.len() > MAX_EXAMPLES {
            return fail(format!(
                "it holds {} examples; at most {MAX_EXAMPLES} fit",
                self.examples.len()
            ));
        }
        for (i, e) in self.examples.iter().enumerate() {
            if e.embedding.len() != EMBEDDING {
                return fail(format!(
                    "example {} has an embedding of {} values, not {EMBEDDING}",
                    i + 1,
                    e.embedding.len()
                ));
            }
            if e.class >= classes {
                return fail(format!(
                    "example {} is of class {}, but there are only {classes} classes",
                    i + 1,
                    e.class + 1
                ));
            }
            if e.thumbnail.len() > MAX_THUMBNAIL {
                return fail(format!(
                    "the thumbnail of example {} is {} bytes; at most {MAX_THUMBNAIL} fit",
                    i + 1,
                    e.thumbnail.len()
                ));
            }
            if e.embedding.iter().any(|v| !v.is_finite()) {
                return fail(format!(
                    "example {} has an embedding value that is not a finite number",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// The project as one safetensors file (see the module doc), with or
    /// without its examples. Refuses a project [`Project::from_bytes`] would.
    pub fn to_bytes(&self, include_examples: bool) -> Result<Vec<u8>, WebcamError> {
        self.validate()?;
        let meta = serde_json::to_string(&self.meta)
            .map_err(|e| WebcamError::Project(format!("cannot write its settings: {e}")))?;
        let metadata = HashMap::from([
            ("format".to_string(), FORMAT.to_string()),
            ("version".to_string(), VERSION.to_string()),
            ("extractor".to_string(), EXTRACTOR.to_string()),
            ("meta".to_string(), meta),
        ]);
        let mut tensors: Vec<(&str, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
        if let Some(head) = &self.head {
            tensors.push(("head", Dtype::U8, vec![head.len()], head.clone()));
        }
        let examples = if include_examples {
            &self.examples[..]
        } else {
            &[]
        };
        let n = examples.len();
        if n > 0 {
            let u32s = |f: &dyn Fn(&Example) -> usize| -> Vec<u8> {
                examples
                    .iter()
                    .flat_map(|e| (f(e) as u32).to_le_bytes())
                    .collect()
            };
            let embeddings = examples
                .iter()
                .flat_map(|e| e.embedding.iter().flat_map(|v| v.to_le_bytes()))
                .collect();
            let thumbnails: Vec<u8> = examples
                .iter()
                .flat_map(|e| e.thumbnail.iter().copied())
                .collect();
            tensors.push(("embeddings", Dtype::F32, vec![n, EMBEDDING], embeddings));
            tensors.push(("labels", Dtype::U32, vec![n], u32s(&|e| e.class)));
            tensors.push((
                "thumbnail_lengths",
                Dtype::U32,
                vec![n],
                u32s(&|e| e.thumbnail.len()),
            ));
            tensors.push(("thumbnails", Dtype::U8, vec![thumbnails.len()], thumbnails));
        }
        let views = tensors
            .iter()
            .map(|(name, dtype, shape, data)| {
                TensorView::new(*dtype, shape.clone(), data)
                    .map(|v| (name.to_string(), v))
                    .map_err(|e| WebcamError::Project(format!("cannot write {name}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        safetensors::serialize(views, Some(metadata))
            .map_err(|e| WebcamError::Project(format!("cannot write the file: {e}")))
    }

    /// Opens a project file, refusing with the reason: a damaged or cut
    /// short file, a safetensors file that is not a project, one made for
    /// another feature extractor or by a newer version, and any content
    /// [`Project::validate`] refuses.
    pub fn from_bytes(bytes: &[u8]) -> Result<Project, WebcamError> {
        let file = SafeTensors::deserialize(bytes).map_err(|_| {
            WebcamError::Project(
                "the file is damaged or cut short (it is not a complete safetensors file); \
                 download the project again"
                    .into(),
            )
        })?;
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|_| WebcamError::Project("the file is damaged or cut short".into()))?;
        let empty = HashMap::new();
        let metadata = header.metadata().as_ref().unwrap_or(&empty);
        if metadata.get("format").map(String::as_str) != Some(FORMAT) {
            return fail(
                "this file is not a Playnet webcam project (it may be a model's weights or \
                 another program's safetensors file); open a file exported from this page"
                    .into(),
            );
        }
        let version = metadata.get("version").map(String::as_str).unwrap_or("");
        match version.parse::<u32>() {
            Ok(v) if v > VERSION => {
                return fail(format!(
                    "it was made by a newer version of Playnet (project format {v}; this page \
                     reads up to {VERSION}); update the page"
                ));
            }
            Ok(v) if v >= 1 => {}
            _ => {
                return fail(format!(
                    "its format version {version:?} is not one this page knows"
                ));
            }
        }
        let extractor = metadata.get("extractor").map(String::as_str).unwrap_or("");
        if extractor != EXTRACTOR {
            return fail(format!(
                "it was made for another feature extractor ({extractor:?}); this page uses \
                 {EXTRACTOR:?}, so its examples would not fit"
            ));
        }
        let meta: ProjectMeta =
            serde_json::from_str(metadata.get("meta").map(String::as_str).unwrap_or(""))
                .map_err(|e| WebcamError::Project(format!("its settings are unreadable: {e}")))?;
        meta.validate()?;
        let tensor = |name: &str, dtype: Dtype| -> Result<Option<TensorView<'_>>, WebcamError> {
            match file.tensor(name) {
                Err(_) => Ok(None),
                Ok(v) if v.dtype() != dtype => {
                    fail(format!("its {name} are {:?}, not {dtype:?}", v.dtype()))
                }
                Ok(v) => Ok(Some(v)),
            }
        };
        let head = match tensor("head", Dtype::U8)? {
            Some(v) if v.shape().len() == 1 => Some(v.data().to_vec()),
            Some(v) => {
                return fail(format!(
                    "its head has shape {:?}, not one row of bytes",
                    v.shape()
                ));
            }
            None => None,
        };
        let parts = (
            tensor("embeddings", Dtype::F32)?,
            tensor("labels", Dtype::U32)?,
            tensor("thumbnail_lengths", Dtype::U32)?,
            tensor("thumbnails", Dtype::U8)?,
        );
        let examples = match parts {
            (None, None, None, None) => Vec::new(),
            (Some(e), Some(l), Some(t), Some(th)) => {
                read_examples(&e, &l, &t, &th, meta.classes.len())?
            }
            _ => return fail("its examples are incomplete (a tensor is missing)".into()),
        };
        let project = Project {
            meta,
            head,
            examples,
        };
        project.validate()?;
        Ok(project)
    }
}

fn u32s(view: &TensorView<'_>) -> Vec<usize> {
    view.data()
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect()
}

fn read_examples(
    embeddings: &TensorView<'_>,
    labels: &TensorView<'_>,
    lengths: &TensorView<'_>,
    thumbnails: &TensorView<'_>,
    classes: usize,
) -> Result<Vec<Example>, WebcamError> {
    let [n, width] = *embeddings.shape() else {
        return fail(format!(
            "its embeddings have shape {:?}, not [examples, {EMBEDDING}]",
            embeddings.shape()
        ));
    };
    if width != EMBEDDING {
        return fail(format!(
            "its embeddings have {width} values each, not the {EMBEDDING} of this page's \
             feature extractor"
        ));
    }
    if n > MAX_EXAMPLES {
        return fail(format!("it holds {n} examples; at most {MAX_EXAMPLES} fit"));
    }
    if labels.shape() != [n] || lengths.shape() != [n] || thumbnails.shape().len() != 1 {
        return fail(format!(
            "its labels ({:?}), thumbnail lengths ({:?}) and thumbnails ({:?}) do not match \
             its {n} embeddings",
            labels.shape(),
            lengths.shape(),
            thumbnails.shape()
        ));
    }
    let labels = u32s(labels);
    let lengths = u32s(lengths);
    if let Some((i, l)) = labels.iter().enumerate().find(|(_, l)| **l >= classes) {
        return fail(format!(
            "example {} is of class {}, but there are only {classes} classes",
            i + 1,
            l + 1
        ));
    }
    let total = lengths
        .iter()
        .try_fold(0usize, |sum, &l| sum.checked_add(l));
    let thumbs = thumbnails.data();
    if total != Some(thumbs.len()) {
        return fail(format!(
            "its thumbnail lengths do not add up to the {} thumbnail bytes",
            thumbs.len()
        ));
    }
    let values: Vec<f32> = embeddings
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let mut start = 0;
    Ok(values
        .chunks_exact(EMBEDDING)
        .zip(labels.iter().zip(&lengths))
        .map(|(e, (&class, &len))| {
            let thumbnail = thumbs[start..start + len].to_vec();
            start += len;
            Example {
                class,
                embedding: e.to_vec(),
                thumbnail,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::head::tests::{borrowed, synthetic};
    use crate::{HeadInfo, HeadTrainer};
    use playnet_engine::Cpu;

    fn project(classes: usize) -> Project {
        let data = synthetic(classes, 6, 2);
        let settings = HeadSettings {
            epochs: 2,
            ..HeadSettings::default()
        };
        let trainer = HeadTrainer::new(Cpu, &borrowed(&data), classes, &settings, 1).unwrap();
        let (head, _) = trainer.finish().unwrap();
        Project {
            meta: ProjectMeta {
                classes: (0..classes).map(|c| format!("class {c}")).collect(),
                settings,
                head_kind: HeadKind::Knn,
                k: 5,
                directions: vec![Some(Direction::Up)],
            },
            head: Some(head.to_bytes().unwrap()),
            examples: data
                .into_iter()
                .enumerate()
                .map(|(i, (class, embedding))| Example {
                    class,
                    embedding,
                    thumbnail: vec![i as u8; i % 4],
                })
                .collect(),
        }
    }

    fn refusal(bytes: &[u8]) -> String {
        Project::from_bytes(bytes).unwrap_err().to_string()
    }

    #[test]
    fn a_project_round_trips_with_or_without_examples() {
        let p = project(3);
        let bytes = p.to_bytes(true).unwrap();
        assert_eq!(Project::from_bytes(&bytes).unwrap(), p);
        let lean = Project::from_bytes(&p.to_bytes(false).unwrap()).unwrap();
        assert_eq!(lean.examples, vec![]);
        assert_eq!((lean.meta, lean.head), (p.meta.clone(), p.head.clone()));
        let bare = Project {
            head: None,
            examples: vec![],
            ..p.clone()
        };
        assert_eq!(
            Project::from_bytes(&bare.to_bytes(true).unwrap()).unwrap(),
            bare
        );
        // All thumbnails empty: a zero-length thumbnails tensor.
        let mut blank = p.clone();
        blank.examples.iter_mut().for_each(|e| e.thumbnail.clear());
        assert_eq!(
            Project::from_bytes(&blank.to_bytes(true).unwrap()).unwrap(),
            blank
        );
        let json = serde_json::to_string(&p.meta).unwrap();
        assert!(json.contains("\"head_kind\":\"knn\""), "{json}");
    }

    #[test]
    fn damaged_and_foreign_files_are_refused() {
        let bytes = project(2).to_bytes(true).unwrap();
        for cut in [bytes.len() - 1, bytes.len() / 2, 100, 5, 0] {
            assert!(
                refusal(&bytes[..cut]).contains("damaged or cut short"),
                "cut at {cut}"
            );
        }
        assert!(refusal(b"\x89PNG\r\n\x1a\n not a project").contains("damaged"));
        // A safetensors file of another kind: the engine's checkpoint weights.
        let weights = Project::from_bytes(&bytes).unwrap().head.unwrap();
        let safetensors =
            &weights[8 + u32::from_le_bytes(weights[4..8].try_into().unwrap()) as usize..];
        assert!(refusal(safetensors).contains("not a Playnet webcam project"));
        // The shipped EfficientNet weights, where the clone has them.
        let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/efficientnet-lite0/efficientnet-lite0.safetensors");
        if let Ok(file) = std::fs::read(shipped) {
            assert!(refusal(&file).contains("not a Playnet webcam project"));
        }
    }

    /// The project file with its metadata changed by `edit`.
    fn with_metadata(p: &Project, edit: impl FnOnce(&mut HashMap<String, String>)) -> Vec<u8> {
        let bytes = p.to_bytes(true).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
        let mut metadata = header.metadata().clone().unwrap();
        edit(&mut metadata);
        safetensors::serialize(file.tensors(), Some(metadata)).unwrap()
    }

    #[test]
    fn projects_of_another_extractor_or_version_are_refused() {
        let p = project(2);
        let other = with_metadata(&p, |m| {
            m.insert(
                "extractor".into(),
                "mobilenet-v2 pooled features (1280)".into(),
            );
        });
        let err = refusal(&other);
        assert!(
            err.contains("another feature extractor") && err.contains("mobilenet-v2"),
            "{err}"
        );
        let newer = with_metadata(&p, |m| {
            m.insert("version".into(), "2".into());
        });
        assert!(refusal(&newer).contains("newer version"));
        let garbled = with_metadata(&p, |m| {
            m.insert("version".into(), "one".into());
        });
        assert!(refusal(&garbled).contains("format version"));
        let no_meta = with_metadata(&p, |m| {
            m.insert("meta".into(), "{".into());
        });
        assert!(refusal(&no_meta).contains("settings are unreadable"));
        let bad_k = with_metadata(&p, |m| {
            let mut meta = p.meta.clone();
            meta.k = 0;
            m.insert("meta".into(), serde_json::to_string(&meta).unwrap());
        });
        assert!(refusal(&bad_k).contains("k for nearest"));
        let bad_settings = with_metadata(&p, |m| {
            let mut meta = p.meta.clone();
            meta.settings.epochs = 0;
            m.insert("meta".into(), serde_json::to_string(&meta).unwrap());
        });
        assert!(refusal(&bad_settings).contains("epochs"));
    }

    #[test]
    fn bad_contents_are_refused_with_the_reason() {
        let p = project(3);
        let meta_of = |classes: Vec<String>| {
            let meta = ProjectMeta {
                classes,
                ..p.meta.clone()
            };
            with_metadata(&p, |m| {
                m.insert("meta".into(), serde_json::to_string(&meta).unwrap());
            })
        };
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(refusal(&meta_of(vec![])).contains("no classes"));
        assert!(refusal(&meta_of((0..11).map(|i| i.to_string()).collect())).contains("at most 10"));
        assert!(refusal(&meta_of(names(&["a", " ", "c"]))).contains("class 2 has no name"));
        assert!(refusal(&meta_of(names(&["a", "b", "a"]))).contains("both named \"a\""));
        assert!(refusal(&meta_of(names(&["a", "b", &"é".repeat(41)]))).contains("41 characters"));
        assert!(Project::from_bytes(&meta_of(names(&["a", "b", &"é".repeat(40)]))).is_ok());
        // Fewer classes than the labels (and the head) use.
        let err = refusal(&meta_of(names(&["a", "b"])));
        assert!(err.contains("class 3, but there are only 2"), "{err}");
        // A head for another number of classes.
        let mut mismatched = project(2);
        mismatched.head = p.head.clone();
        let err = mismatched.to_bytes(true).unwrap_err().to_string();
        assert!(err.contains("for 3 classes but the project has 2"), "{err}");
        let forged = {
            let bytes = mismatched.to_bytes(false);
            assert!(bytes.is_err());
            let good = project(2).to_bytes(false).unwrap();
            let file = SafeTensors::deserialize(&good).unwrap();
            let (_, header) = SafeTensors::read_metadata(&good).unwrap();
            let head = p.head.clone().unwrap();
            let view = TensorView::new(Dtype::U8, vec![head.len()], &head).unwrap();
            let mut tensors: Vec<(String, TensorView<'_>)> = file
                .tensors()
                .into_iter()
                .filter(|(n, _)| n != "head")
                .collect();
            tensors.push(("head".into(), view));
            safetensors::serialize(tensors, header.metadata().clone()).unwrap()
        };
        assert!(refusal(&forged).contains("for 3 classes but the project has 2"));
        assert_eq!(HeadInfo::read(p.head.as_ref().unwrap()).unwrap().classes, 3);
        // Embeddings of the wrong width.
        let good = p.to_bytes(true).unwrap();
        let file = SafeTensors::deserialize(&good).unwrap();
        let (_, header) = SafeTensors::read_metadata(&good).unwrap();
        let n = p.examples.len();
        let narrow = vec![0u8; n * 1000 * 4];
        let mut tensors: Vec<(String, TensorView<'_>)> = file
            .tensors()
            .into_iter()
            .filter(|(name, _)| name != "embeddings")
            .collect();
        tensors.push((
            "embeddings".into(),
            TensorView::new(Dtype::F32, vec![n, 1000], &narrow).unwrap(),
        ));
        let wrong = safetensors::serialize(tensors, header.metadata().clone()).unwrap();
        assert!(refusal(&wrong).contains("1000 values each"));
        // A missing tensor.
        let partial: Vec<(String, TensorView<'_>)> = file
            .tensors()
            .into_iter()
            .filter(|(name, _)| name != "labels")
            .collect();
        let partial = safetensors::serialize(partial, header.metadata().clone()).unwrap();
        assert!(refusal(&partial).contains("incomplete"));
        // Too many examples.
        let mut big = project(2);
        let one = big.examples[0].clone();
        big.examples = vec![one; MAX_EXAMPLES + 1];
        assert!(
            big.to_bytes(true)
                .unwrap_err()
                .to_string()
                .contains("at most 5000")
        );
    }
}
