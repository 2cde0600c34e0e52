//! Fuzzes every library parser of user-supplied bytes for the budget that
//! `PLAYNET_FUZZ_SECONDS` gives (see the crate docs); `cargo xtask fuzz`
//! runs these longer.

use playnet_fuzz::{check, targets};

#[global_allocator]
static ALLOC: playnet_fuzz::alloc::Capped = playnet_fuzz::alloc::Capped;

#[test]
fn every_library_target_has_its_test() {
    let names: Vec<&str> = targets::ALL.iter().map(|t| t.name).collect();
    let source = include_str!("fuzz.rs");
    for name in names {
        let test = format!("fuzz_{} =>", name.replace('-', "_"));
        assert!(source.contains(&test), "no test {test} for target {name}");
    }
}

macro_rules! fuzz_tests {
    ($($test:ident => $target:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check(&targets::$target);
            }
        )*
    };
}

fuzz_tests! {
    fuzz_idx => IDX,
    fuzz_mnist_files => MNIST_FILES,
    fuzz_playground_url => PLAYGROUND_URL,
    fuzz_playground_csv => PLAYGROUND_CSV,
    fuzz_playground_model => PLAYGROUND_MODEL,
    fuzz_mnist_model => MNIST_MODEL,
    fuzz_sketch_magenta => SKETCH_MAGENTA,
    fuzz_sketch_model => SKETCH_MODEL,
    fuzz_sketch_strokes => SKETCH_STROKES,
    fuzz_webcam_project => WEBCAM_PROJECT,
    fuzz_webcam_example => WEBCAM_EXAMPLE,
    fuzz_webcam_head => WEBCAM_HEAD,
    fuzz_efficientnet_weights => EFFICIENTNET_WEIGHTS,
}

/// A target that believes the length its input declares (in MiB).
const GREEDY: playnet_fuzz::Target = playnet_fuzz::Target {
    name: "oversize-self-test",
    seeds: Vec::new,
    run: |input| {
        let mib = match input {
            [a, b, ..] => usize::from(u16::from_le_bytes([*a, *b])),
            _ => 0,
        };
        let buffer: Vec<u8> = Vec::with_capacity(mib << 20);
        std::hint::black_box(&buffer);
        Ok(())
    },
};

#[test]
fn an_allocation_over_the_cap_aborts_and_keeps_the_input() {
    let input = [44u8, 1, 7]; // 300 MiB
    if std::env::var_os("PLAYNET_FUZZ_OVERSIZE_CHILD").is_some() {
        let _ = playnet_fuzz::run_one(&GREEDY, &[1, 0], std::time::Duration::from_secs(5));
        let _ = playnet_fuzz::run_one(&GREEDY, &input, std::time::Duration::from_secs(5));
        return;
    }
    let kept = playnet_fuzz::alloc::oversize_path(GREEDY.name);
    let _ = std::fs::remove_file(&kept);
    let test = "an_allocation_over_the_cap_aborts_and_keeps_the_input";
    let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("PLAYNET_FUZZ_OVERSIZE_CHILD", "1")
        .output()
        .expect("running the test binary again");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child did not abort: {stderr}");
    assert!(
        stderr.contains("fuzz oversize-self-test: one allocation of 314572800 bytes"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&kept).expect("the kept input"), input);
    let _ = std::fs::remove_file(&kept);
}
