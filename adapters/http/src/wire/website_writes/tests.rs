//! Tests of the Website API's write bodies and delete queries as sent: alias spellings,
//! nulls, which fields become profile properties, and any JSON read without a panic. The
//! rules themselves are tested in the domain, over drafts.

use proptest::prelude::*;
use serde_json::json;

use datafast_domain::ingest::sanitize::is_clean;

use super::*;

const VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";

#[test]
fn goals_accept_both_visitor_spellings_and_refuse_reserved_names() {
    let goal = read_goal(&json!({"visitorId": VISITOR, "name": "Newsletter Signup",
        "metadata": {"plan": "<b>pro</b>"}}))
    .unwrap();
    assert_eq!(goal.name.as_str(), "newsletter_signup");
    assert_eq!(goal.metadata["plan"], "bpro/b");
    assert!(read_goal(&json!({"datafast_visitor_id": VISITOR, "name": "identify"})).is_err());
    assert!(read_goal(&json!({"name": "signup"})).is_err());
    assert!(read_goal(&json!({"datafast_visitor_id": "nope", "name": "signup"})).is_err());
    let eleven: serde_json::Map<String, Value> =
        (0..11).map(|i| (format!("k{i}"), json!("v"))).collect();
    assert!(
        read_goal(&json!({"datafast_visitor_id": VISITOR, "name": "a", "metadata": eleven}))
            .is_err()
    );
    assert!(
        read_goal(&json!({"datafast_visitor_id": VISITOR, "name": "a",
            "metadata": {"Bad Key": "v"}}))
        .is_err()
    );
}

#[test]
fn payments_read_aliases_and_infer_free_trials() {
    let payment = read_payment(&json!({"amount": 29.99, "currency": "usd",
        "transaction_id": "tx_1", "customer_email": "a@b.co", "customer_name": "Ann"}))
    .unwrap();
    assert_eq!(payment.amount_minor, 2999);
    assert_eq!(payment.currency.as_str(), "USD");
    assert_eq!(payment.email.as_deref(), Some("a@b.co"));
    assert_eq!(payment.name.as_deref(), Some("Ann"));
    assert!(!payment.free_trial);
    let trial =
        read_payment(&json!({"amount": 0, "currency": "EUR", "transaction_id": "t"})).unwrap();
    assert!(trial.free_trial);
    for bad in [
        json!({"currency": "USD", "transaction_id": "t"}),
        json!({"amount": 1, "transaction_id": "t"}),
        json!({"amount": 1, "currency": "USD"}),
        json!({"amount": -1, "currency": "USD", "transaction_id": "t"}),
        json!({"amount": 1, "currency": "XYZ", "transaction_id": "t"}),
        json!({"amount": 1, "currency": "USD", "transaction_id": "t", "renewal": "yes"}),
        json!({"amount": 1, "currency": "USD", "transaction_id": "t", "timestamp": "soon"}),
    ] {
        assert!(read_payment(&bad).is_err(), "{bad}");
    }
}

#[test]
fn identify_keeps_other_fields_as_metadata() {
    let identify = read_identify(&json!({"datafast_visitor_id": VISITOR, "user_id": "u1",
        "name": "Ann", "plan": "pro", "nested": {"x": 1}}))
    .unwrap();
    assert_eq!(identify.user_id, "u1");
    assert_eq!(identify.metadata.len(), 2);
    assert!(read_identify(&json!({"datafast_visitor_id": VISITOR})).is_err());
    let long = "x".repeat(256);
    assert!(read_identify(&json!({"datafast_visitor_id": VISITOR, "user_id": long})).is_err());
}

#[test]
fn a_null_field_is_refused_naming_it() {
    let goal = json!({"datafast_visitor_id": VISITOR, "visitorId": null, "name": "a"});
    assert_eq!(
        read_goal(&goal).unwrap_err().to_string(),
        "Invalid visitorId: must not be null"
    );
    let payment = json!({"amount": 1, "currency": "USD", "transaction_id": "t",
        "email": "a@b.co", "customer_email": null});
    assert!(
        read_payment(&payment)
            .unwrap_err()
            .to_string()
            .contains("customer_email")
    );
    for field in PAYMENT_FIELDS {
        let mut body = json!({"amount": 1, "currency": "USD", "transaction_id": "t"});
        body[field] = Value::Null;
        assert!(read_payment(&body).is_err(), "{field}");
    }
    let identify = json!({"datafast_visitor_id": VISITOR, "user_id": null});
    assert!(read_identify(&identify).is_err());
    // Other identify fields are profile properties: a null one is left out.
    let identify = json!({"datafast_visitor_id": VISITOR, "user_id": "u", "plan": null});
    assert!(read_identify(&identify).unwrap().metadata.is_empty());
}

#[test]
fn deletes_need_a_condition_and_whole_ranges() {
    let by_visitor = GoalDeleteQuery {
        datafast_visitor_id: Some(VISITOR.into()),
        ..GoalDeleteQuery::default()
    };
    assert!(read_goal_delete(&by_visitor).is_ok());
    let bulk = GoalDeleteQuery {
        name: Some("signup".into()),
        ..GoalDeleteQuery::default()
    };
    assert!(read_goal_delete(&bulk).is_err());
    let old_names = GoalDeleteQuery {
        start: Some("2023-01-01".into()),
        end: Some("2023-01-31".into()),
        ..GoalDeleteQuery::default()
    };
    let filter = read_goal_delete(&old_names).unwrap();
    assert_eq!(filter.to.unwrap().to_string(), "2023-01-31T23:59:59.999Z");
    let half = GoalDeleteQuery {
        start_at: Some("2023-01-01".into()),
        ..GoalDeleteQuery::default()
    };
    assert!(read_goal_delete(&half).is_err());
    let reversed = GoalDeleteQuery {
        start_at: Some("2023-02-01".into()),
        end_at: Some("2023-01-01".into()),
        ..GoalDeleteQuery::default()
    };
    assert!(read_goal_delete(&reversed).is_err());
    let tx = PaymentDeleteQuery {
        tx_id: Some("tx_1".into()),
        start_at: Some("garbage".into()),
        ..PaymentDeleteQuery::default()
    };
    assert_eq!(
        read_payment_delete(&tx).unwrap().transaction_id.as_deref(),
        Some("tx_1")
    );
    assert!(read_payment_delete(&PaymentDeleteQuery::default()).is_err());
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9<>\"'&:=/ ._-]{0,40}",
        Just("dfid_abc123".to_owned()),
        Just("0c424a08-3676-4e3a-a7e0-4ac419bb8c6c".to_owned()),
        Just("s7a403e54-0983-4d84-bd9e-f82db331bb8e".to_owned()),
        Just("https://example.com/a?b=c".to_owned()),
        Just("custom".to_owned()),
        Just("payment".to_owned()),
        Just("javascript:".to_owned()),
        Just("jav<ascript:".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        text().prop_map(Value::String),
        any::<f64>()
            .prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ]
}

fn json_tree() -> impl Strategy<Value = Value> {
    json_value().prop_recursive(3, 32, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    text(),
                    Just("datafast_visitor_id".to_owned()),
                    Just("visitorId".to_owned()),
                    Just("name".to_owned()),
                    Just("metadata".to_owned()),
                    Just("amount".to_owned()),
                    Just("currency".to_owned()),
                    Just("transaction_id".to_owned()),
                    Just("user_id".to_owned()),
                    Just("timestamp".to_owned()),
                ],
                inner,
                0..8
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The Website API's write bodies: any JSON is either refused or read into bounded values.
    #[test]
    fn server_bodies_never_panic(body in json_tree()) {
        if let Ok(goal) = read_goal(&body) {
            prop_assert!(goal.metadata.len() <= 10);
            prop_assert!(goal.metadata.values().all(|v| is_clean(v)));
            prop_assert!(!goal.name.is_reserved());
        }
        if let Ok(payment) = read_payment(&body) {
            prop_assert!(payment.amount_minor >= 0);
            prop_assert!(payment.transaction_id.chars().count() <= 255);
        }
        if let Ok(identify) = read_identify(&body) {
            prop_assert!(identify.metadata.len() <= 20);
            prop_assert!(identify.metadata.values().all(|v| is_clean(v)));
        }
    }
}

proptest! {
    /// A JSON number reaches the rules as text: read back, it is the number JSON parsed, so a
    /// payment amount is the same whether read from the text or from the number.
    #[test]
    fn number_text_reads_back_as_the_same_number(
        number in prop_oneof![
            any::<f64>().prop_filter_map("finite", serde_json::Number::from_f64),
            any::<i64>().prop_map(serde_json::Number::from),
            any::<u64>().prop_map(serde_json::Number::from),
        ],
    ) {
        let Sent::Number(text) = sent(&Value::Number(number.clone())) else {
            panic!("not a number");
        };
        prop_assert_eq!(text.parse::<f64>().ok(), number.as_f64());
    }
}
