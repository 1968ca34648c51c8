//! Evaluation on AnnoMI's held-out fold (`transcript_id % 5 == 0`).

use std::fmt;

use crate::annomi::{self, CsvError};
use crate::{ClientTalk, Coder, MainBehaviour};

/// Why an evaluation could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The CSV text could not be read.
    Csv(CsvError),
    /// The evaluation fold holds no labelled utterances.
    Empty,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Csv(e) => write!(f, "{e}"),
            EvalError::Empty => write!(
                f,
                "no labelled utterances in the evaluation fold (transcript_id % 5 == 0)"
            ),
        }
    }
}

impl std::error::Error for EvalError {}

/// Per-class figures and the confusion matrix of one classification task.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassReport {
    /// Class names, in matrix order.
    pub labels: Vec<&'static str>,
    /// `confusion[gold][predicted]` counts.
    pub confusion: Vec<Vec<u32>>,
    /// F1 per class.
    pub f1: Vec<f64>,
    /// Precision per class.
    pub precision: Vec<f64>,
    /// Recall per class.
    pub recall: Vec<f64>,
    /// Unweighted mean of the per-class F1.
    pub macro_f1: f64,
    /// Share predicted correctly.
    pub accuracy: f64,
    /// Number of utterances.
    pub n: u32,
}

impl ClassReport {
    /// Builds the report from (gold, predicted) class indices.
    #[allow(clippy::needless_range_loop)] // rows and columns of the matrix by class index
    pub fn from_pairs(labels: Vec<&'static str>, pairs: &[(usize, usize)]) -> ClassReport {
        let k = labels.len();
        let mut confusion = vec![vec![0u32; k]; k];
        for &(g, p) in pairs {
            if g < k && p < k {
                confusion[g][p] += 1;
            }
        }
        let mut f1 = Vec::with_capacity(k);
        let mut precision = Vec::with_capacity(k);
        let mut recall = Vec::with_capacity(k);
        let mut correct = 0u32;
        for c in 0..k {
            let tp = f64::from(confusion[c][c]);
            correct += confusion[c][c];
            let pred: u32 = (0..k).map(|g| confusion[g][c]).sum();
            let gold: u32 = confusion[c].iter().sum();
            let p = if pred > 0 { tp / f64::from(pred) } else { 0.0 };
            let r = if gold > 0 { tp / f64::from(gold) } else { 0.0 };
            precision.push(p);
            recall.push(r);
            f1.push(if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            });
        }
        let n = pairs.len() as u32;
        ClassReport {
            macro_f1: f1.iter().sum::<f64>() / k.max(1) as f64,
            accuracy: if n > 0 {
                f64::from(correct) / f64::from(n)
            } else {
                0.0
            },
            labels,
            confusion,
            f1,
            precision,
            recall,
            n,
        }
    }
}

impl fmt::Display for ClassReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  macro-F1 {:.3}   accuracy {:.3}   n = {}",
            self.macro_f1, self.accuracy, self.n
        )?;
        writeln!(
            f,
            "  {:<16} {:>9} {:>9} {:>9}",
            "class", "precision", "recall", "F1"
        )?;
        for (i, l) in self.labels.iter().enumerate() {
            writeln!(
                f,
                "  {:<16} {:>9.3} {:>9.3} {:>9.3}",
                l, self.precision[i], self.recall[i], self.f1[i]
            )?;
        }
        writeln!(f, "  confusion (rows: expert code, columns: coder)")?;
        write!(f, "  {:<16}", "")?;
        for l in &self.labels {
            write!(f, " {:>15}", l)?;
        }
        writeln!(f)?;
        for (i, row) in self.confusion.iter().enumerate() {
            write!(f, "  {:<16}", self.labels[i])?;
            for v in row {
                write!(f, " {:>15}", v)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// The evaluation-fold report: therapist main behaviour (4 classes) and client talk (3).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Model hash the figures belong to.
    pub model_hash: String,
    /// Transcripts in the evaluation fold.
    pub transcripts: u32,
    /// Therapist main behaviour.
    pub therapist: ClassReport,
    /// Client talk type.
    pub client: ClassReport,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "AnnoMI evaluation fold (transcript_id % 5 == 0): {} transcripts",
            self.transcripts
        )?;
        writeln!(f, "model {}", self.model_hash)?;
        writeln!(f)?;
        writeln!(f, "Therapist main behaviour")?;
        write!(f, "{}", self.therapist)?;
        writeln!(f)?;
        writeln!(f, "Client talk type")?;
        write!(f, "{}", self.client)
    }
}

/// Codes every utterance of the evaluation fold of `AnnoMI-simple.csv` (each with the previous
/// turn of the other speaker as context; client lines also with the client's own earlier
/// lines of the transcript, through [`Coder::code_client_in`]) and compares with the expert
/// labels. Only utterance text is used as context, never the expert labels.
pub fn evaluate(simple_csv_text: &str, coder: &Coder) -> Result<EvalReport, EvalError> {
    let rows = annomi::read_simple(simple_csv_text).map_err(EvalError::Csv)?;
    let prev = annomi::previous_other(&rows);
    let earlier = annomi::earlier_client(&rows);
    let mut ther = Vec::new();
    let mut cli = Vec::new();
    let mut transcripts: Vec<u32> = Vec::new();
    for (i, u) in rows.iter().enumerate() {
        if annomi::fold_of(u.transcript_id) != 0 {
            continue;
        }
        if transcripts.last() != Some(&u.transcript_id) {
            transcripts.push(u.transcript_id);
        }
        let ctx = prev[i].map(|j| rows[j].text.as_str());
        if u.therapist {
            if let Some(gold) = u.main {
                let c = coder.code_counsellor(&u.text, ctx);
                ther.push((gold.index(), c.main_behaviour.index()));
            }
        } else if let Some(gold) = u.talk {
            let e: Vec<&str> = earlier[i].iter().map(|&j| rows[j].text.as_str()).collect();
            let c = coder.code_client_in(&u.text, ctx, &e);
            cli.push((gold.index(), c.talk.index()));
        }
    }
    if ther.is_empty() && cli.is_empty() {
        return Err(EvalError::Empty);
    }
    Ok(EvalReport {
        model_hash: coder.model_hash(),
        transcripts: transcripts.len() as u32,
        therapist: ClassReport::from_pairs(
            MainBehaviour::ALL.iter().map(|m| m.annomi_name()).collect(),
            &ther,
        ),
        client: ClassReport::from_pairs(
            ClientTalk::ALL.iter().map(|m| m.annomi_name()).collect(),
            &cli,
        ),
    })
}
