//! The camera and the frames the network sees.
//!
//! [`open`] asks for the front camera (`facingMode: user`) and plays it in
//! the page's `<video>` (muted and `playsinline`, so iOS plays it inline);
//! the preview is mirrored by CSS, the frames are not. [`Frames`] draws the
//! video's centre square (shifted and zoomed when augmenting) into a
//! 224×224 canvas and reads its RGBA bytes, and makes the small JPEG
//! thumbnails each example keeps. Uploaded pictures go the same way as the
//! reference preprocessing: shorter side to 256, centre 224.

use playnet_webcam::augment::Augmentation;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlVideoElement, ImageBitmap, MediaStream,
    MediaStreamConstraints,
};

use crate::fetch::describe;

/// The network's input side.
pub const FRAME: u32 = 224;
/// The thumbnails' side: a 64-pixel JPEG is about 2 kB.
pub const THUMB: u32 = 64;
/// A picture is resized so that its shorter side is this, then cropped.
pub const RESIZE: f64 = 256.0;

/// Why there is no camera, in words for the status line.
pub fn explain(name: &str, message: &str) -> String {
    match name {
        "NotAllowedError" | "SecurityError" => "Camera access was refused. Allow the camera for \
             this page in the browser's site settings and reload — or record examples from \
             pictures with each class's “Add pictures” button, or try the sample pictures."
            .into(),
        "NotFoundError" | "OverconstrainedError" => "No camera was found. Connect one and press \
             “Start camera” again — or use pictures or the sample pictures instead."
            .into(),
        "NotReadableError" | "AbortError" => "The camera is busy (another app or tab is using \
             it). Close that and press “Start camera” again — or use pictures instead."
            .into(),
        "NoMediaDevices" => "This browser gives the page no camera (it needs https or \
             localhost). Use pictures or the sample pictures instead."
            .into(),
        _ => format!("The camera could not start ({name}: {message}). Use pictures instead."),
    }
}

/// Starts the front camera in `video`; the error is [`explain`]'s message.
pub async fn open(video: &HtmlVideoElement) -> Result<MediaStream, String> {
    let devices = web_sys::window()
        .and_then(|w| w.navigator().media_devices().ok())
        .ok_or_else(|| explain("NoMediaDevices", ""))?;
    let constraints = MediaStreamConstraints::new();
    let video_constraints = js_sys::JSON::parse(
        r#"{"facingMode":"user","width":{"ideal":640},"height":{"ideal":480}}"#,
    )
    .unwrap_or(wasm_bindgen::JsValue::TRUE);
    constraints.set_video(&video_constraints);
    constraints.set_audio(&false.into());
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| explain("NoMediaDevices", &describe(&e)))?;
    let stream: MediaStream = JsFuture::from(promise)
        .await
        .map_err(|e| {
            let name = js_sys::Reflect::get(&e, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .unwrap_or_default();
            explain(&name, &describe(&e))
        })?
        .unchecked_into();
    video.set_muted(true);
    let _ = video.set_attribute("playsinline", "");
    video.set_src_object(Some(&stream));
    if let Ok(playing) = video.play() {
        let _ = JsFuture::from(playing).await;
    }
    Ok(stream)
}

/// Stops every track of `stream` (the camera light goes off).
pub fn close(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Ok(track) = track.dyn_into::<web_sys::MediaStreamTrack>() {
            track.stop();
        }
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

fn canvas(side: u32) -> Option<HtmlCanvasElement> {
    let canvas: HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(side);
    canvas.set_height(side);
    Some(canvas)
}

/// The canvases frames are drawn into.
pub struct Frames {
    /// The network's view, 224×224 (the page shows it, and tests read it).
    pub view: HtmlCanvasElement,
    thumb: HtmlCanvasElement,
}

impl Frames {
    /// Frames drawn into `view` (resized to 224×224).
    pub fn new(view: HtmlCanvasElement) -> Option<Frames> {
        view.set_width(FRAME);
        view.set_height(FRAME);
        Some(Frames {
            view,
            thumb: canvas(THUMB)?,
        })
    }

    /// The current video frame as RGBA bytes, or `None` before the video
    /// has a frame.
    pub fn grab(&self, video: &HtmlVideoElement, augmentation: &Augmentation) -> Option<Vec<u8>> {
        let (w, h) = (video.video_width() as f32, video.video_height() as f32);
        if video.ready_state() < 2 || w < 1.0 || h < 1.0 {
            return None;
        }
        let [x, y, side, _] = augmentation.crop(w, h);
        let ctx = context(&self.view)?;
        let f = f64::from(FRAME);
        ctx.draw_image_with_html_video_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            video,
            f64::from(x),
            f64::from(y),
            f64::from(side),
            f64::from(side),
            0.0,
            0.0,
            f,
            f,
        )
        .ok()?;
        self.read(augmentation)
    }

    /// A decoded picture, shorter side to 256 and the centre 224 (the
    /// reference preprocessing, with the browser's smooth resize).
    pub fn picture(&self, image: &ImageBitmap) -> Option<Vec<u8>> {
        let (w, h) = (f64::from(image.width()), f64::from(image.height()));
        if w < 1.0 || h < 1.0 {
            return None;
        }
        let scale = RESIZE / w.min(h);
        let (sw, sh) = (w * scale, h * scale);
        let f = f64::from(FRAME);
        let ctx = context(&self.view)?;
        ctx.set_image_smoothing_enabled(true);
        ctx.draw_image_with_image_bitmap_and_dw_and_dh(
            image,
            (f - sw) / 2.0,
            (f - sh) / 2.0,
            sw,
            sh,
        )
        .ok()?;
        self.read(&Augmentation::NONE)
    }

    /// Draws RGBA bytes of a 224×224 frame into the view.
    pub fn show(&self, rgba: &[u8]) -> Option<()> {
        let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            wasm_bindgen::Clamped(rgba),
            FRAME,
            FRAME,
        )
        .ok()?;
        context(&self.view)?.put_image_data(&data, 0.0, 0.0).ok()
    }

    fn read(&self, augmentation: &Augmentation) -> Option<Vec<u8>> {
        let ctx = context(&self.view)?;
        let f = f64::from(FRAME);
        let mut rgba = ctx.get_image_data(0.0, 0.0, f, f).ok()?.data().0;
        if *augmentation != Augmentation::NONE {
            augmentation.apply(&mut rgba, FRAME as usize, FRAME as usize);
            self.show(&rgba)?;
        }
        Some(rgba)
    }

    /// A small JPEG of what the view shows now, as a `data:` URL's bytes.
    pub fn thumbnail(&self) -> Vec<u8> {
        let Some(ctx) = context(&self.thumb) else {
            return Vec::new();
        };
        let t = f64::from(THUMB);
        let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&self.view, 0.0, 0.0, t, t);
        self.thumb
            .to_data_url_with_type_and_encoder_options("image/jpeg", &0.7.into())
            .map(String::into_bytes)
            .unwrap_or_default()
    }
}

/// Decodes an image file (PNG, JPEG, WebP, …) in the browser.
pub async fn decode(file: &web_sys::File) -> Result<ImageBitmap, String> {
    let window = web_sys::window().ok_or("no window")?;
    let promise = window
        .create_image_bitmap_with_blob(file)
        .map_err(|e| describe(&e))?;
    JsFuture::from(promise)
        .await
        .map_err(|_| format!("{} is not a picture this browser can read", file.name()))?
        .dyn_into()
        .map_err(|_| "the browser gave no image".to_string())
}
