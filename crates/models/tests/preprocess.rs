//! Our preprocessing of the sample photos against the reference inputs
//! (which Pillow made), and chelsea.png classified end to end.

mod common;

use playnet_engine::Cpu;
use playnet_models::imagenet::top_k;
use playnet_models::preprocess::{RgbImage, imagenet_input};
use playnet_models::pth::read_pth;
use playnet_models::{EfficientNet, Images, Layout};

/// Decodes an 8-bit RGB PNG.
fn decode_png(name: &str) -> RgbImage {
    let path = common::shared_data().join("imagenet-samples").join(name);
    let decoder = png::Decoder::new(std::io::Cursor::new(common::read(&path)));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Rgb, png::BitDepth::Eight),
        "{name}"
    );
    pixels.truncate(info.buffer_size());
    RgbImage::new(info.width as usize, info.height as usize, pixels).unwrap()
}

/// The reference input (NCHW) as NHWC.
fn reference_nhwc(name: &str) -> Vec<f32> {
    let nchw = common::reference(name, "input");
    let hw = 224 * 224;
    (0..3 * hw).map(|i| nchw[(i % 3) * hw + i / 3]).collect()
}

/// The PNG samples decode losslessly, so our resize and crop must give
/// Pillow's bytes: the largest grey-level difference is printed and held
/// to zero.
#[test]
fn png_samples_preprocess_to_the_reference_input() {
    if common::skip_without_shared_data() {
        return;
    }
    for name in ["chelsea", "coffee"] {
        let ours = imagenet_input(&decode_png(&format!("{name}.png"))).unwrap();
        let levels = common::max_abs_diff(&ours, &reference_nhwc(name)) * 128.0;
        println!("{name}: max grey-level difference {levels}");
        assert_eq!(levels, 0.0, "{name}");
    }
}

#[test]
fn chelsea_png_is_a_cat() {
    if common::skip_without_shared_data() {
        return;
    }
    let input = imagenet_input(&decode_png("chelsea.png")).unwrap();
    let state = read_pth(&common::pth_bytes()).unwrap().into_map();
    let net = EfficientNet::from_torch(Cpu, &state).unwrap();
    let logits = net
        .logits(&Images::new(&input, 1, 224, 224, Layout::Nhwc).unwrap())
        .unwrap();
    let top = top_k(&logits, 5);
    println!("chelsea.png top-5: {top:?}");
    // Tiger cat, Egyptian cat, tabby: the top two are 0.0097 apart.
    assert!([282, 285, 281].contains(&top[0].0), "{top:?}");
}
