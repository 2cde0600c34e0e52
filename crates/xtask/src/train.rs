//! `cargo xtask train`: trains a playground network natively with the same
//! engine, data and seeds as the page, printing progress and ending with one
//! JSON line of metrics. `--seed` reads like a link's `seed=`: a whole
//! number is ours, any other text TensorFlow Playground's (its exact data
//! and initial weights).

use playnet_data::{DatasetKind, parse_list};
use playnet_engine::{Activation, Loss, Optimizer, Regularization, ready};
use playnet_playground::{PlaygroundConfig, Session};

use crate::Flags;
use crate::util::{Error, Result, fail};

pub const HELP: &str = "\
usage: cargo xtask train [options]

Trains a playground network natively and prints progress; the last line of
standard output is one JSON object: epoch, train_loss, test_loss and, for
classification, train_accuracy and test_accuracy.

options (defaults are TensorFlow Playground's):
  --dataset NAME        circle, xor, gauss, spiral, reg-plane, reg-gauss,
                        spiral3, spiral4, blobs3, blobs4        [circle]
  --features LIST       x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2,cosx1,cosx2 [x1,x2]
  --layers LIST         hidden layer widths, e.g. 8,8; `none` for no hidden layer [4,2]
  --activation NAME     relu, tanh, sigmoid, linear, leakyrelu, elu, gelu,
                        swish, sine                               [tanh]
  --loss NAME           squared, bce, cross-entropy      [the problem's usual]
  --optimizer NAME      sgd, momentum, adam                         [sgd]
  --lr X                learning rate                               [0.03]
  --batch N             batch size, 1–30                            [10]
  --epochs N            epochs to train                             [100]
  --regularization R    none, l1, l2                                [none]
  --reg-rate X          regularisation rate                         [0]
  --dropout X           share of hidden outputs dropped while training,
                        0–0.9 (never in evaluation)                 [0]
  --noise N             noise, 0–50                                 [0]
  --train-percent N     share of points used for training, 10–90    [50]
  --init-zero           start every weight at 0
  --seed SEED           seeds the data and the initial weights      [1]
                        a whole number seeds our generator; any other
                        text is a TensorFlow Playground link's seed
                        (e.g. 0.12345) and gives TFP's exact data and
                        initial weights, as the page does
  --every N             print progress every N epochs    [epochs / 10]";

/// Parses the flags, trains, prints.
pub fn run(args: &[String]) -> Result<()> {
    let (config, epochs, every) = parse(args)?;
    let mut session =
        Session::new(playnet_engine::Cpu, config).map_err(|e| Error::Usage(e.to_string()))?;
    let every = every.unwrap_or((epochs / 10).max(1));
    let mut metrics = evaluate(&session)?;
    for epoch in 1..=epochs {
        session
            .train_epoch()
            .map_err(|e| fail!("training failed at epoch {epoch}: {e}"))?;
        if epoch % every == 0 || epoch == epochs {
            metrics = evaluate(&session)?;
            let accuracy = metrics
                .test_accuracy
                .map(|a| format!("  test accuracy {:.1}%", a * 100.0))
                .unwrap_or_default();
            println!(
                "epoch {epoch:>6}  train loss {:.4}  test loss {:.4}{accuracy}",
                metrics.train_loss, metrics.test_loss
            );
            if metrics.diverged() {
                break;
            }
        }
    }
    let json = serde_json::to_string(&metrics)
        .map_err(|e| fail!("cannot write the metrics as JSON: {e}"))?;
    println!("{json}");
    if metrics.diverged() {
        return Err(fail!(
            "training diverged at epoch {} (loss is not finite): lower the learning rate",
            metrics.epoch
        ));
    }
    Ok(())
}

fn evaluate(session: &Session<playnet_engine::Cpu>) -> Result<playnet_playground::Metrics> {
    ready(session.metrics())
        .map_err(|e| fail!("{e}"))?
        .map_err(|e| fail!("cannot evaluate the network: {e}"))
}

/// The config, the number of epochs and the progress interval the flags ask for.
fn parse(args: &[String]) -> Result<(PlaygroundConfig, u64, Option<u64>)> {
    let mut flags = Flags::new("train", args);
    let mut config = PlaygroundConfig::default();
    let usage = |e: &dyn std::fmt::Display| Error::Usage(e.to_string());
    if let Some(v) = flags.value("--dataset")? {
        config.dataset = v.parse::<DatasetKind>().map_err(|e| usage(&e))?;
    }
    if let Some(v) = flags.value("--features")? {
        config.features = parse_list(&v).map_err(|e| usage(&e))?;
    }
    if let Some(v) = flags.value("--layers")? {
        config.network_shape = if v.trim().eq_ignore_ascii_case("none") {
            Vec::new()
        } else if v.trim().is_empty() {
            return Err(Error::Usage(
                "--layers wants hidden layer widths such as 8,8, or `none` for no hidden layer"
                    .into(),
            ));
        } else {
            v.split(',')
                .map(|w| number::<usize>("--layers", w.trim()))
                .collect::<Result<_>>()?
        };
    }
    if let Some(v) = flags.value("--activation")? {
        config.activation = v.parse::<Activation>().map_err(|e| usage(&e))?;
    }
    if let Some(v) = flags.value("--loss")? {
        config.loss = Some(v.parse::<Loss>().map_err(|e| usage(&e))?);
    }
    if let Some(v) = flags.value("--optimizer")? {
        config.optimizer = v.parse::<Optimizer>().map_err(|e| usage(&e))?;
    }
    if let Some(v) = flags.value("--lr")? {
        config.learning_rate = number("--lr", &v)?;
    }
    if let Some(v) = flags.value("--batch")? {
        config.batch_size = number("--batch", &v)?;
    }
    if let Some(v) = flags.value("--regularization")? {
        config.regularization = match v.to_ascii_lowercase().as_str() {
            "none" => None,
            other => Some(other.parse::<Regularization>().map_err(|e| usage(&e))?),
        };
    }
    if let Some(v) = flags.value("--reg-rate")? {
        config.regularization_rate = number("--reg-rate", &v)?;
    }
    if let Some(v) = flags.value("--dropout")? {
        config.dropout = number("--dropout", &v)?;
    }
    if let Some(v) = flags.value("--noise")? {
        config.noise = number("--noise", &v)?;
    }
    if let Some(v) = flags.value("--train-percent")? {
        config.perc_train_data = number("--train-percent", &v)?;
    }
    if let Some(v) = flags.value("--seed")? {
        if v.is_empty() {
            return Err(Error::Usage(
                "--seed wants a whole number or a TensorFlow Playground seed such as 0.12345"
                    .into(),
            ));
        }
        config.set_seed_text(&v);
    }
    config.init_zero = flags.switch("--init-zero")?;
    let epochs = flags.count("--epochs")?.unwrap_or(100);
    let every = flags.count("--every")?;
    flags.finish()?;
    config.validate().map_err(|e| usage(&e))?;
    Ok((config, epochs, every))
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| Error::Usage(format!("{flag} wants a number, got `{value}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use playnet_data::Feature;
    use playnet_playground::SeedSource;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn the_readme_command_parses() {
        let (c, epochs, every) = parse(&args(
            "--dataset spiral --features x1,x2,sinx1,sinx2 --layers 8,8 --activation tanh \
             --lr 0.03 --batch 10 --epochs 1000 --seed 7",
        ))
        .unwrap();
        assert_eq!(c.dataset, DatasetKind::Spiral);
        assert_eq!(
            c.features,
            vec![Feature::X1, Feature::X2, Feature::SinX1, Feature::SinX2]
        );
        assert_eq!(c.network_shape, vec![8, 8]);
        assert_eq!((c.seed, epochs, every), (7, 1000, None));
    }

    #[test]
    fn a_seed_is_a_number_or_tfps_text() {
        let (c, _, _) = parse(&args("--seed 7")).unwrap();
        assert_eq!(c.seed_source(), SeedSource::Pcg(7));
        let (c, _, _) = parse(&args("--seed 0.12345")).unwrap();
        assert_eq!(c.seed_source(), SeedSource::Tfp("0.12345"));
        // The page's link gives the same config.
        let (page, _) = playnet_playground::PageState::from_hash("#seed=0.12345");
        assert_eq!(c, page.config);
        match parse(&["--seed".to_string(), String::new()]) {
            Err(Error::Usage(msg)) => assert!(msg.contains("0.12345"), "{msg}"),
            other => panic!("expected a usage error, got {:?}", other.map(|r| r.1)),
        }
    }

    #[test]
    fn no_hidden_layers_is_spelled_none() {
        for spelling in ["none", "None"] {
            let (c, _, _) = parse(&["--layers".to_string(), spelling.to_string()]).unwrap();
            assert!(c.network_shape.is_empty());
        }
        for empty in ["", " "] {
            match parse(&["--layers".to_string(), empty.to_string()]) {
                Err(Error::Usage(msg)) => assert!(msg.contains("`none`"), "{msg}"),
                other => panic!("--layers {empty:?}: {:?}", other.map(|r| r.1)),
            }
        }
    }

    #[test]
    fn bad_flags_are_usage_errors_with_the_reason() {
        for (bad, needle) in [
            ("--dataset moon", "moon"),
            ("--features x1,zz", "zz"),
            ("--layers 8,x", "--layers"),
            ("--lr fast", "--lr"),
            ("--batch 99", "batch size"),
            ("--noise 70", "noise"),
            ("--dropout 0.95", "dropout"),
            ("--dropout some", "--dropout"),
            ("--layers 999,999", "neurons"),
            ("--dataset spiral3 --loss squared", "softmax"),
            ("--frobnicate", "unknown argument"),
            ("--epochs", "needs a value"),
            ("--epochs 0", "--epochs wants a whole number of at least 1"),
            ("--every 0", "--every wants a whole number of at least 1"),
            ("--epochs 10 --epochs 20", "more than once"),
            ("--init-zero --init-zero", "more than once"),
        ] {
            match parse(&args(bad)) {
                Err(Error::Usage(msg)) => assert!(msg.contains(needle), "{bad}: {msg}"),
                other => panic!(
                    "{bad}: expected a usage error, got {:?}",
                    other.map(|r| r.1)
                ),
            }
        }
    }
}
