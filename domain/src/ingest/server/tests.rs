//! Tests of the Website API's write rules over drafts. How JSON bodies and query strings
//! become drafts, aliases and nulls included, is tested in the HTTP adapter
//! (`wire/website_writes`).

use std::borrow::Cow;

use super::*;
use crate::ingest::draft::SentFields;

const VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";

fn text(value: &str) -> Option<Sent<'static>> {
    Some(Sent::Text(Cow::Owned(value.to_owned())))
}

fn number(value: &str) -> Option<Sent<'static>> {
    Some(Sent::Number(value.to_owned()))
}

fn fields<const N: usize>(entries: [(&str, Sent<'static>); N]) -> SentFields<'static> {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

fn goal(name: &str) -> GoalDraft<'static> {
    GoalDraft {
        visitor_id: text(VISITOR),
        name: text(name),
        ..GoalDraft::default()
    }
}

fn payment() -> PaymentDraft<'static> {
    PaymentDraft {
        amount: number("1"),
        currency: text("USD"),
        transaction_id: text("t"),
        ..PaymentDraft::default()
    }
}

#[test]
fn goal_names_visitors_and_metadata_are_checked() {
    let read = server_goal(GoalDraft {
        metadata: Some(MetadataDraft::Object(fields([(
            "plan",
            Sent::Text("<b>pro</b>".into()),
        )]))),
        ..goal("Newsletter Signup")
    })
    .unwrap();
    assert_eq!(read.name.as_str(), "newsletter_signup");
    assert_eq!(read.metadata["plan"], "bpro/b");
    assert!(server_goal(goal("identify")).is_err(), "reserved name");
    let no_visitor = GoalDraft {
        visitor_id: None,
        ..goal("signup")
    };
    assert!(server_goal(no_visitor).is_err());
    let bad_visitor = GoalDraft {
        visitor_id: text("nope"),
        ..goal("signup")
    };
    assert!(server_goal(bad_visitor).is_err());
    let eleven = (0..11)
        .map(|i| (format!("k{i}"), Sent::Text("v".into())))
        .collect();
    let too_many = GoalDraft {
        metadata: Some(MetadataDraft::Object(eleven)),
        ..goal("a")
    };
    assert!(server_goal(too_many).is_err());
    let bad_key = GoalDraft {
        metadata: Some(MetadataDraft::Object(fields([(
            "Bad Key",
            Sent::Text("v".into()),
        )]))),
        ..goal("a")
    };
    assert!(server_goal(bad_key).is_err());
    let not_an_object = GoalDraft {
        metadata: Some(MetadataDraft::NotAnObject),
        ..goal("a")
    };
    assert_eq!(
        server_goal(not_an_object).unwrap_err().to_string(),
        "Invalid metadata: must be an object"
    );
    let nested_value = GoalDraft {
        metadata: Some(MetadataDraft::Object(fields([("plan", Sent::Nested)]))),
        ..goal("a")
    };
    assert!(server_goal(nested_value).is_err());
}

#[test]
fn payments_read_amounts_and_infer_free_trials() {
    let read = server_payment(PaymentDraft {
        amount: number("29.99"),
        currency: text("usd"),
        transaction_id: text("tx_1"),
        email: text("a@b.co"),
        name: text("Ann"),
        ..PaymentDraft::default()
    })
    .unwrap();
    assert_eq!(read.amount_minor, 2999);
    assert_eq!(read.currency.as_str(), "USD");
    assert_eq!(read.email.as_deref(), Some("a@b.co"));
    assert_eq!(read.name.as_deref(), Some("Ann"));
    assert!(!read.free_trial);
    let trial = server_payment(PaymentDraft {
        amount: number("0"),
        currency: text("EUR"),
        ..payment()
    })
    .unwrap();
    assert!(trial.free_trial);
    let as_text = server_payment(PaymentDraft {
        amount: text(" 12.5 "),
        ..payment()
    })
    .unwrap();
    assert_eq!(as_text.amount_minor, 1250);
    for bad in [
        PaymentDraft {
            amount: None,
            ..payment()
        },
        PaymentDraft {
            currency: None,
            ..payment()
        },
        PaymentDraft {
            transaction_id: None,
            ..payment()
        },
        PaymentDraft {
            amount: number("-1"),
            ..payment()
        },
        PaymentDraft {
            currency: text("XYZ"),
            ..payment()
        },
        PaymentDraft {
            renewal: text("yes"),
            ..payment()
        },
        PaymentDraft {
            timestamp: text("soon"),
            ..payment()
        },
        PaymentDraft {
            amount: Some(Sent::Nested),
            ..payment()
        },
        PaymentDraft {
            transaction_id: Some(Sent::Bool(true)),
            ..payment()
        },
    ] {
        assert!(server_payment(bad.clone()).is_err(), "{bad:?}");
    }
}

#[test]
fn identify_keeps_named_scalar_properties() {
    let read = server_identify(IdentifyDraft {
        visitor_id: text(VISITOR),
        user_id: text("u1"),
        properties: fields([
            ("name", Sent::Text("Ann".into())),
            ("plan", Sent::Text("pro".into())),
            ("nested", Sent::Nested),
            ("empty", Sent::Null),
            ("bad key!", Sent::Text("x".into())),
        ]),
    })
    .unwrap();
    assert_eq!(read.user_id, "u1");
    assert_eq!(read.metadata.len(), 2);
    let no_user = IdentifyDraft {
        visitor_id: text(VISITOR),
        ..IdentifyDraft::default()
    };
    assert!(server_identify(no_user).is_err());
    let long = IdentifyDraft {
        visitor_id: text(VISITOR),
        user_id: text(&"x".repeat(256)),
        ..IdentifyDraft::default()
    };
    assert!(server_identify(long).is_err());
    let crowded = IdentifyDraft {
        visitor_id: text(VISITOR),
        user_id: text("u1"),
        properties: (0..21)
            .map(|i| (format!("p{i}"), Sent::Text("v".into())))
            .collect(),
    };
    assert_eq!(
        server_identify(crowded).unwrap_err().to_string(),
        "Invalid body: at most 20 profile properties"
    );
}

#[test]
fn deletes_need_a_condition_and_whole_ranges() {
    let range = |start: Option<&'static str>, end: Option<&'static str>| RangeDraft {
        start,
        end,
        ..RangeDraft::default()
    };
    let by_visitor = GoalDeleteDraft {
        visitor_id: Some(VISITOR),
        ..GoalDeleteDraft::default()
    };
    assert!(goal_delete_filter(by_visitor).is_ok());
    let bulk = GoalDeleteDraft {
        name: Some("signup"),
        ..GoalDeleteDraft::default()
    };
    assert!(goal_delete_filter(bulk).is_err());
    let dated = GoalDeleteDraft {
        range: range(Some("2023-01-01"), Some("2023-01-31")),
        ..GoalDeleteDraft::default()
    };
    let filter = goal_delete_filter(dated).unwrap();
    assert_eq!(filter.to.unwrap().to_string(), "2023-01-31T23:59:59.999Z");
    let half = GoalDeleteDraft {
        range: range(Some("2023-01-01"), None),
        ..GoalDeleteDraft::default()
    };
    assert!(goal_delete_filter(half).is_err());
    let reversed = GoalDeleteDraft {
        range: range(Some("2023-02-01"), Some("2023-01-01")),
        ..GoalDeleteDraft::default()
    };
    assert!(goal_delete_filter(reversed).is_err());
    // Errors about an end name it as it was sent.
    let old_names = GoalDeleteDraft {
        range: RangeDraft {
            names: ("start", "end"),
            ..range(Some("2023-02-01"), Some("2023-01-01"))
        },
        ..GoalDeleteDraft::default()
    };
    assert_eq!(goal_delete_filter(old_names).unwrap_err().field, "start");
    let tx = PaymentDeleteDraft {
        transaction_id: Some("tx_1"),
        range: range(Some("garbage"), None),
        ..PaymentDeleteDraft::default()
    };
    assert_eq!(
        payment_delete_filter(tx).unwrap().transaction_id.as_deref(),
        Some("tx_1")
    );
    let blank = PaymentDeleteDraft {
        transaction_id: Some("  "),
        ..PaymentDeleteDraft::default()
    };
    assert!(payment_delete_filter(blank).is_err());
    assert!(payment_delete_filter(PaymentDeleteDraft::default()).is_err());
}
