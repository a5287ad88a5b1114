//! The satisfaction questionnaire a citizen may answer once their request
//! is closed: three marks out of five — overall, the delay, the clarity of
//! what they were told — and a free comment; and the figures the answers
//! make per service and department.

use std::collections::BTreeMap;

/// The questions marked out of five, in the questionnaire's order.
pub const QUESTIONS: [&str; 3] = ["overall", "delay", "clarity"];

/// The longest comment, in characters.
pub const COMMENT_CHARS: usize = 2000;

/// A mark a citizen gives: 1 (very dissatisfied) to 5 (very satisfied).
pub const MARKS: std::ops::RangeInclusive<u8> = 1..=5;

/// One citizen's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub overall: u8,
    pub delay: u8,
    pub clarity: u8,
    pub comment: Option<String>,
}

/// A field of the questionnaire that cannot be taken, with the key of the
/// message that says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerError {
    pub field: &'static str,
    pub key: &'static str,
}

impl Answer {
    /// Reads the questionnaire's fields (`value(name)`): each mark 1 to 5,
    /// the comment trimmed and bounded. Every bad field is named.
    pub fn read(value: impl Fn(&str) -> Option<String>) -> Result<Answer, Vec<AnswerError>> {
        let mut errors = Vec::new();
        let mut marks = [0u8; 3];
        for (mark, question) in marks.iter_mut().zip(QUESTIONS) {
            match value(question)
                .and_then(|v| v.trim().parse::<u8>().ok())
                .filter(|m| MARKS.contains(m))
            {
                Some(m) => *mark = m,
                None => errors.push(AnswerError {
                    field: question,
                    key: "satisfaction.error.mark",
                }),
            }
        }
        let comment = value("comment")
            .map(|c| c.trim().replace("\r\n", "\n"))
            .filter(|c| !c.is_empty());
        if let Some(c) = &comment {
            if c.chars().count() > COMMENT_CHARS {
                errors.push(AnswerError {
                    field: "comment",
                    key: "satisfaction.error.long",
                });
            } else if c
                .chars()
                .any(|ch| ch.is_control() && ch != '\n' && ch != '\t')
            {
                errors.push(AnswerError {
                    field: "comment",
                    key: "satisfaction.error.control",
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let [overall, delay, clarity] = marks;
        Ok(Answer {
            overall,
            delay,
            clarity,
            comment,
        })
    }
}

/// An answer as statistics read it: where its request was, and its marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marks {
    pub service: String,
    pub department: String,
    pub overall: u8,
    pub delay: u8,
    pub clarity: u8,
}

/// The figures of some answers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Satisfaction {
    pub answers: u64,
    /// Mean marks out of five; `None` without answers.
    pub overall: Option<f64>,
    pub delay: Option<f64>,
    pub clarity: Option<f64>,
    /// The share of answers whose overall mark is 4 or 5, in percent.
    pub satisfied: Option<f64>,
}

#[derive(Default)]
struct Sums {
    n: u64,
    overall: u64,
    delay: u64,
    clarity: u64,
    satisfied: u64,
}

impl Sums {
    fn add(&mut self, m: &Marks) {
        self.n += 1;
        self.overall += u64::from(m.overall);
        self.delay += u64::from(m.delay);
        self.clarity += u64::from(m.clarity);
        self.satisfied += u64::from(m.overall >= 4);
    }

    fn figures(&self) -> Satisfaction {
        let mean = |sum: u64| (self.n > 0).then(|| sum as f64 / self.n as f64);
        Satisfaction {
            answers: self.n,
            overall: mean(self.overall),
            delay: mean(self.delay),
            clarity: mean(self.clarity),
            satisfied: mean(self.satisfied * 100),
        }
    }
}

/// The figures of all the answers.
pub fn figures(answers: &[Marks]) -> Satisfaction {
    let mut sums = Sums::default();
    answers.iter().for_each(|m| sums.add(m));
    sums.figures()
}

/// The figures per key (`key(answer)`: its service, its department), by
/// key.
pub fn grouped(answers: &[Marks], key: impl Fn(&Marks) -> &str) -> Vec<(String, Satisfaction)> {
    let mut by: BTreeMap<&str, Sums> = BTreeMap::new();
    for m in answers {
        by.entry(key(m)).or_default().add(m);
    }
    by.into_iter()
        .map(|(k, s)| (k.to_owned(), s.figures()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Answer, Vec<AnswerError>> {
        Answer::read(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn an_answer_has_three_marks_out_of_five_and_maybe_a_comment() {
        assert_eq!(
            read(&[
                ("overall", "5"),
                ("delay", " 3 "),
                ("clarity", "1"),
                ("comment", "  Merci !\r\nTrès rapide. ")
            ]),
            Ok(Answer {
                overall: 5,
                delay: 3,
                clarity: 1,
                comment: Some("Merci !\nTrès rapide.".into()),
            })
        );
        assert_eq!(
            read(&[
                ("overall", "4"),
                ("delay", "4"),
                ("clarity", "4"),
                ("comment", "  ")
            ])
            .unwrap()
            .comment,
            None
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let fields = |r: Result<Answer, Vec<AnswerError>>| {
            r.unwrap_err().iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert_eq!(
            fields(read(&[("overall", "0"), ("delay", "6"), ("clarity", "")])),
            ["overall", "delay", "clarity"]
        );
        assert_eq!(
            fields(read(&[("overall", "2"), ("delay", "x"), ("clarity", "5")])),
            ["delay"]
        );
        let long = "é".repeat(COMMENT_CHARS + 1);
        assert_eq!(
            fields(read(&[
                ("overall", "2"),
                ("delay", "2"),
                ("clarity", "5"),
                ("comment", &long)
            ])),
            ["comment"]
        );
        assert_eq!(
            fields(read(&[
                ("overall", "2"),
                ("delay", "2"),
                ("clarity", "5"),
                ("comment", "a\u{0}b")
            ])),
            ["comment"]
        );
    }

    #[test]
    fn figures_are_means_out_of_five_and_the_share_satisfied() {
        let m = |service: &str, department: &str, o, d, c| Marks {
            service: service.into(),
            department: department.into(),
            overall: o,
            delay: d,
            clarity: c,
        };
        let answers = [
            m("road", "voirie", 5, 4, 3),
            m("road", "voirie", 2, 1, 3),
            m("birth", "etat-civil", 4, 5, 5),
        ];
        let all = figures(&answers);
        assert_eq!(all.answers, 3);
        assert_eq!(all.overall, Some(11.0 / 3.0));
        assert_eq!(all.delay, Some(10.0 / 3.0));
        assert_eq!(all.clarity, Some(11.0 / 3.0));
        assert_eq!(all.satisfied, Some(200.0 / 3.0));
        let by = grouped(&answers, |m| &m.service);
        assert_eq!(by.len(), 2);
        assert_eq!(by[1].0, "road");
        assert_eq!(by[1].1.overall, Some(3.5));
        assert_eq!(by[1].1.satisfied, Some(50.0));
        assert_eq!(figures(&[]), Satisfaction::default());
    }
}
