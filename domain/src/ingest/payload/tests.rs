//! Tests of payload validation: the spec's example payloads, hostile strings, and properties
//! over arbitrary input.

use super::*;
use crate::ingest::sanitize::is_clean;
use proptest::prelude::*;
use serde_json::json;

/// Validates `value` as the handler does: deserialised from the bytes of a request body.
fn parse(value: serde_json::Value) -> Result<IncomingEvent, IngestError> {
    let body = value.to_string();
    validate(serde_json::from_str(&body).unwrap())
}

fn sdk_custom_event() -> serde_json::Value {
    json!({
      "websiteId": "dfid_abc123",
      "domain": "example.com",
      "visitorId": "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
      "sessionId": "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
      "visitorFirstSeenAt": "2026-05-21T10:00:00.000Z",
      "visitorSessionNumber": 1,
      "href": "https://example.com/pricing",
      "referrer": null,
      "type": "custom",
      "viewport": { "width": 1280, "height": 800 },
      "language": "en-US",
      "timezone": "Europe/Paris",
      "screenWidth": 1920,
      "screenHeight": 1080,
      "device": {
        "platform": "web",
        "osVersion": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
        "model": "Browser"
      },
      "extraData": { "eventName": "signup", "plan": "pro", "seats": "3" }
    })
}

fn script_pageview() -> serde_json::Value {
    json!({
      "websiteId": "dfid_abc123",
      "domain": "example.com",
      "href": "https://www.example.com/blog?utm_source=x",
      "referrer": "https://www.google.com/",
      "viewport": { "width": 390, "height": 844 },
      "visitorId": "0C424A08-3676-4E3A-A7E0-4AC419BB8C6C",
      "sessionId": "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
      "adClickIds": { "gclid": "abc", "nonsense": "x" },
      "type": "pageview",
      "someFutureField": [1, 2, 3]
    })
}

fn with(mut base: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    base[key] = value;
    base
}

#[test]
fn the_sdk_custom_event_of_the_spec_validates() {
    let event = parse(sdk_custom_event()).unwrap();
    assert_eq!(event.tracking_id.as_str(), "dfid_abc123");
    assert_eq!(event.domain, "example.com");
    assert_eq!(
        event.visitor_id.unwrap().as_str(),
        "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c"
    );
    assert_eq!(
        event.session_id.as_str(),
        "s7a403e54-0983-4d84-bd9e-f82db331bb8e"
    );
    assert_eq!(event.page.host, "example.com");
    assert_eq!(event.page.path, "/pricing");
    assert_eq!(event.referrer, None);
    assert_eq!(
        event.viewport,
        Some(Size {
            width: 1280,
            height: 800
        })
    );
    assert_eq!(
        event.screen,
        Some(Size {
            width: 1920,
            height: 1080
        })
    );
    assert_eq!(event.visitor_session_number, Some(1));
    assert_eq!(
        event.visitor_first_seen_at,
        Some("2026-05-21T10:00:00Z".parse().unwrap())
    );
    assert_eq!(event.language.as_deref(), Some("en-US"));
    assert_eq!(event.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(event.device.unwrap().platform, "web");
    let EventData::Custom { name, params } = event.data else {
        panic!("not a custom event");
    };
    assert_eq!(name.as_str(), "signup");
    assert_eq!(params.get("plan").map(String::as_str), Some("pro"));
    assert_eq!(params.get("seats").map(String::as_str), Some("3"));
    assert_eq!(params.len(), 2);
}

#[test]
fn the_script_pageview_validates_and_ignores_unknown_fields() {
    let event = parse(script_pageview()).unwrap();
    assert_eq!(event.data, EventData::Pageview);
    assert_eq!(event.page.query.as_deref(), Some("utm_source=x"));
    assert_eq!(event.referrer.unwrap().host, "www.google.com");
    assert_eq!(event.ad_click_ids.len(), 1);
    assert_eq!(
        event.ad_click_ids.get("gclid").map(String::as_str),
        Some("abc")
    );
    // Upper-case ids are accepted and stored lowercase.
    assert_eq!(
        event.visitor_id.unwrap().as_str(),
        "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c"
    );
}

#[test]
fn required_fields_are_checked() {
    let field = |value: serde_json::Value| match parse(value) {
        Err(IngestError::Invalid(e)) => e.field,
        Ok(_) => "accepted".to_owned(),
    };
    let base = script_pageview;
    assert_eq!(
        field(with(base(), "websiteId", json!("abc123"))),
        "websiteId"
    );
    assert_eq!(field(with(base(), "websiteId", json!(null))), "websiteId");
    assert_eq!(
        field(with(base(), "domain", json!("exa mple.com"))),
        "domain"
    );
    assert_eq!(field(with(base(), "type", json!("click"))), "type");
    assert_eq!(
        field(with(base(), "href", json!("javascript:alert(1)"))),
        "href"
    );
    assert_eq!(field(with(base(), "href", json!("/relative"))), "href");
    assert_eq!(
        field(with(base(), "href", json!("ftp://example.com/"))),
        "href"
    );
    let long = format!("https://example.com/{}", "a".repeat(3000));
    assert_eq!(field(with(base(), "href", json!(long))), "href");
    // Version 1 UUIDs and bad variants are refused.
    assert_eq!(
        field(with(
            base(),
            "visitorId",
            json!("0c424a08-3676-1e3a-a7e0-4ac419bb8c6c")
        )),
        "visitorId"
    );
    assert_eq!(
        field(with(
            base(),
            "visitorId",
            json!("0c424a08-3676-4e3a-c7e0-4ac419bb8c6c")
        )),
        "visitorId"
    );
    assert_eq!(
        field(with(
            base(),
            "sessionId",
            json!("7a403e54-0983-4d84-bd9e-f82db331bb8e")
        )),
        "sessionId"
    );
    // A referrer that is not an http(s) URL is simply no referrer.
    assert_eq!(
        field(with(base(), "referrer", json!("android-app://x"))),
        "accepted"
    );
}

#[test]
fn cookieless_events_need_no_visitor_id() {
    let mut value = with(script_pageview(), "cookieless", json!(true));
    value["visitorId"] = json!("anything");
    value["visitorFirstSeenAt"] = json!("2026-05-21T10:00:00Z");
    let event = parse(value).unwrap();
    assert!(event.cookieless);
    assert_eq!(event.visitor_id, None);
    assert_eq!(event.visitor_first_seen_at, None);
}

#[test]
fn custom_events_are_checked() {
    let custom = |extra: serde_json::Value| parse(with(sdk_custom_event(), "extraData", extra));
    assert!(custom(json!({ "plan": "pro" })).is_err());
    assert!(custom(json!({ "eventName": "has space!" })).is_err());
    assert!(
        custom(json!({ "eventName": "payment" })).is_err(),
        "reserved name"
    );
    let many: serde_json::Map<String, serde_json::Value> =
        (0..11).map(|i| (format!("p{i}"), json!("v"))).collect();
    let mut too_many = serde_json::Value::Object(many);
    too_many["eventName"] = json!("signup");
    assert!(custom(too_many).is_err());
    let event = custom(json!({
        "eventName": "Sign Up",
        "Plan": "<b>pro</b>",
        "bad key!": "dropped",
        "seats": 3,
        "trial": true,
        "nested": { "a": 1 },
        "url": "javascript:alert(document.cookie)",
        "handler": "x onmouseover=steal()",
    }))
    .unwrap();
    let EventData::Custom { name, params } = event.data else {
        panic!("not custom");
    };
    assert_eq!(name.as_str(), "sign_up");
    assert_eq!(params.get("plan").map(String::as_str), Some("bpro/b"));
    assert_eq!(params.get("seats").map(String::as_str), Some("3"));
    assert_eq!(params.get("trial").map(String::as_str), Some("true"));
    assert_eq!(
        params.get("url").map(String::as_str),
        Some("alert(document.cookie)")
    );
    assert_eq!(params.get("handler").map(String::as_str), Some("x steal()"));
    assert!(!params.contains_key("bad key!") && !params.contains_key("nested"));
}

#[test]
fn identify_payment_and_links_are_checked() {
    let typed = |kind: &str, extra: serde_json::Value| {
        let value = with(
            with(sdk_custom_event(), "type", json!(kind)),
            "extraData",
            extra,
        );
        parse(value)
    };
    let identify = typed(
        "identify",
        json!({ "user_id": "u_42", "name": "Ada <3", "image": "", "plan": "pro" }),
    )
    .unwrap();
    assert_eq!(
        identify.data,
        EventData::Identify {
            user_id: "u_42".into(),
            name: Some("Ada 3".into()),
            image: None,
            properties: [("plan".to_owned(), "pro".to_owned())].into(),
        }
    );
    assert!(typed("identify", json!({ "name": "x" })).is_err());
    assert!(typed("identify", json!({ "user_id": "x".repeat(256) })).is_err());

    let payment = typed(
        "payment",
        json!({ "stripe_session_id": "cs_test_1", "amount": 29.5, "currency": "eur" }),
    )
    .unwrap();
    let EventData::Payment(data) = payment.data else {
        panic!("not a payment");
    };
    assert_eq!(data.stripe_session_id.as_deref(), Some("cs_test_1"));
    assert_eq!(data.amount, Some(29.5));
    assert_eq!(data.currency.unwrap().as_str(), "EUR");
    assert!(typed("payment", json!({ "email": "buyer@example.com" })).is_ok());
    assert!(
        typed("payment", json!({ "amount": 10 })).is_err(),
        "no identifier"
    );
    assert!(typed("payment", json!({ "email": "not-an-email" })).is_err());
    assert!(typed("payment", json!({ "email": "a@b.co", "amount": -1 })).is_err());
    assert!(typed("payment", json!({ "email": "a@b.co", "currency": "XYZ1" })).is_err());

    let link = typed(
        "external_link",
        json!({ "url": "https://github.com/x", "text": "<b>Repo</b>" }),
    )
    .unwrap();
    assert_eq!(
        link.data,
        EventData::ExternalLink {
            url: "https://github.com/x".into(),
            text: Some("bRepo/b".into())
        }
    );
    assert!(typed("external_link", json!({ "url": "javascript:alert(1)" })).is_err());
    assert!(typed("external_link", json!({})).is_err());
}

#[test]
fn malformed_optional_fields_are_dropped_not_refused() {
    let mut value = sdk_custom_event();
    value["language"] = json!("<script>");
    value["timezone"] = json!("x".repeat(100));
    value["visitorSessionNumber"] = json!(2_000_000);
    value["visitorFirstSeenAt"] = json!("yesterday");
    value["viewport"] = json!({ "width": -5, "height": 800 });
    value["screenWidth"] = json!(1e300);
    let event = parse(value).unwrap();
    assert_eq!(event.language, None);
    assert_eq!(event.timezone, None);
    assert_eq!(event.visitor_session_number, None);
    assert_eq!(event.visitor_first_seen_at, None);
    assert_eq!(event.viewport, None);
    assert_eq!(event.screen, None);
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

fn raw_event() -> impl Strategy<Value = RawEvent<'static>> {
    (
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(prop_oneof![
                Just("pageview".to_owned()),
                Just("custom".to_owned()),
                Just("identify".to_owned()),
                Just("payment".to_owned()),
                Just("external_link".to_owned()),
                text(),
            ]),
        ),
        (
            proptest::option::of(proptest::collection::btree_map(text(), json_value(), 0..14)),
            proptest::option::of(proptest::collection::btree_map(text(), json_value(), 0..4)),
            proptest::option::of(any::<f64>()),
            proptest::option::of(any::<f64>()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (website_id, domain, visitor_id, session_id, href, referrer, kind),
                (mut extra, ad_click_ids, session_number, width, language, first_seen, cookieless),
            )| {
                if let (Some(extra), Some(name)) = (extra.as_mut(), language.clone()) {
                    extra.insert("eventName".to_owned(), Value::String(name));
                }
                RawEvent {
                    website_id: website_id.map(Text::from),
                    domain: domain.map(Text::from),
                    visitor_id: visitor_id.map(Text::from),
                    session_id: session_id.map(Text::from),
                    href: href.map(Text::from),
                    referrer: referrer.map(Text::from),
                    kind: kind.map(Text::from),
                    viewport: Some(RawSize {
                        width,
                        height: session_number,
                    }),
                    ad_click_ids,
                    extra_data: extra,
                    visitor_first_seen_at: first_seen.map(Text::from),
                    visitor_session_number: session_number,
                    language: language.map(Text::from),
                    timezone: None,
                    screen_width: width,
                    screen_height: width,
                    device: None,
                    cookieless,
                }
            },
        )
}

/// Every string a validated event carries from `extraData`.
fn sanitised_strings(event: &IncomingEvent) -> Vec<String> {
    let mut out: Vec<String> = event.ad_click_ids.values().cloned().collect();
    match &event.data {
        EventData::Custom { params, .. } => out.extend(params.values().cloned()),
        EventData::Identify {
            name,
            image,
            properties,
            ..
        } => {
            out.extend(name.iter().chain(image.iter()).cloned());
            out.extend(properties.values().cloned());
        }
        EventData::ExternalLink { text, .. } => out.extend(text.iter().cloned()),
        EventData::Pageview | EventData::Payment(_) => {}
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn validate_never_panics_and_sanitises(raw in raw_event()) {
        if let Ok(event) = validate(raw) {
            for value in sanitised_strings(&event) {
                prop_assert!(!value.contains('<'), "{value:?}");
                prop_assert!(!value.to_ascii_lowercase().contains("javascript:"), "{value:?}");
                prop_assert!(is_clean(&value), "{value:?}");
                prop_assert!(value.chars().count() <= 255);
            }
            if let EventData::Custom { params, .. } = &event.data {
                prop_assert!(params.len() <= MAX_PARAMS);
            }
            prop_assert!(event.page.path.chars().count() <= MAX_PATH_CHARS);
            prop_assert!(event.page.host.len() <= MAX_HOST_CHARS);
        }
    }

    #[test]
    fn sanitize_leaves_nothing_dangerous(input in prop_oneof![
        "(?s).{0,300}",
        "[jJaAvVsScCrRiIpPtT:<oOnN=]{0,60}",
        // Fragments that join into new dangerous text once a piece between them is removed.
        proptest::collection::vec(
            proptest::sample::select(vec![
                "java", "script:", "javascript:", "<", "&", "on", "click", "=", " ", "data:",
                "da", "ta:", "vbscript:", "x",
            ]),
            0..24,
        )
        .prop_map(|parts| parts.concat()),
    ]) {
        let clean = sanitize_value(&input);
        prop_assert!(is_clean(&clean), "{clean:?}");
        prop_assert_eq!(sanitize_value(&clean), clean.clone(), "idempotent");
    }
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

    /// The whole ingestion path short of storage: parse, read the user agent, build the visit
    /// context. Nothing panics, and every stored label stays bounded and clean.
    #[test]
    fn parsing_and_enrichment_never_panic(raw in raw_event(), agent in text()) {
        use crate::ingest::{Place, user_agent_info, visit_context};
        use crate::website::Domain;
        if let Ok(event) = validate(raw) {
            let info = user_agent_info(Some(&agent), event.device.as_ref());
            let domain = Domain::parse("example.com").unwrap();
            let context = visit_context(&event, &domain, &info, Place::default());
            prop_assert!(!context.source.is_empty());
            for tag in [&context.utm_source, &context.utm_campaign, &context.ref_param, &context.via]
                .into_iter()
                .flatten()
            {
                prop_assert!(is_clean(tag), "{tag:?}");
                prop_assert!(tag.chars().count() <= 255);
            }
        }
    }

    /// The Website API's write bodies: any JSON is either refused or read into bounded values.
    #[test]
    fn server_bodies_never_panic(body in json_tree()) {
        use crate::ingest::server::{server_goal, server_identify, server_payment};
        if let Ok(goal) = server_goal(&body) {
            prop_assert!(goal.metadata.len() <= 10);
            prop_assert!(goal.metadata.values().all(|v| is_clean(v)));
            prop_assert!(!goal.name.is_reserved());
        }
        if let Ok(payment) = server_payment(&body) {
            prop_assert!(payment.amount_minor >= 0);
            prop_assert!(payment.transaction_id.chars().count() <= 255);
        }
        if let Ok(identify) = server_identify(&body) {
            prop_assert!(identify.metadata.len() <= 20);
            prop_assert!(identify.metadata.values().all(|v| is_clean(v)));
        }
    }
}

#[test]
fn text_fields_borrow_the_body_unless_they_hold_escapes() {
    let body = r#"{"href":"https://example.com/a","referrer":"https:\/\/x.com\/"}"#;
    let raw: RawEvent<'_> = serde_json::from_str(body).unwrap();
    assert!(matches!(
        raw.href.map(|t| t.0),
        Some(Cow::Borrowed("https://example.com/a"))
    ));
    let referrer = raw.referrer.unwrap();
    assert_eq!(&*referrer, "https://x.com/");
    assert!(matches!(referrer.0, Cow::Owned(_)));
}

/// What a hostile client sends to grow the server's memory: a long made-up path and host, a
/// long referrer host, and a long link. Real pages keep their events with the path cut;
/// hosts no DNS name can have are refused (the page) or ignored (the referrer).
#[test]
fn long_paths_hosts_and_links_are_bounded() {
    let path = format!("https://example.com/{}", "a".repeat(1700));
    let event = parse(with(script_pageview(), "href", json!(path))).unwrap();
    assert_eq!(event.page.path, format!("/{}", "a".repeat(499)));
    // A cut never ends inside a percent escape: `%C3%A9` stays whole or goes whole.
    let escaped = format!("https://example.com/{}é", "a".repeat(497));
    let event = parse(with(script_pageview(), "href", json!(escaped))).unwrap();
    assert_eq!(event.page.path, format!("/{}", "a".repeat(497)));
    let escaped = format!("https://example.com/{}é", "a".repeat(493));
    let event = parse(with(script_pageview(), "href", json!(escaped))).unwrap();
    assert_eq!(event.page.path, format!("/{}%C3%A9", "a".repeat(493)));

    // Five labels of 60 letters: 305 characters, more than any DNS name.
    let long_host = format!("{}example.com", format!("{}.", "h".repeat(60)).repeat(5));
    let refused = parse(with(
        script_pageview(),
        "href",
        json!(format!("https://{long_host}/")),
    ));
    let Err(IngestError::Invalid(error)) = refused else {
        panic!("a 305-character host was accepted");
    };
    assert_eq!(error.field, "href");
    let event = parse(with(
        script_pageview(),
        "referrer",
        json!(format!("https://{long_host}/")),
    ))
    .unwrap();
    assert_eq!(event.referrer, None, "a referrer no DNS name can have");
    let longest = format!("{}example.com", format!("{}.", "h".repeat(59)).repeat(4));
    assert_eq!(longest.len(), 251);
    let event = parse(with(
        script_pageview(),
        "referrer",
        json!(format!("https://{longest}/")),
    ))
    .unwrap();
    assert_eq!(event.referrer.map(|r| r.host), Some(longest));

    let link = format!("https://github.com/{}", "x".repeat(1500));
    let event = parse(with(
        with(sdk_custom_event(), "type", json!("external_link")),
        "extraData",
        json!({ "url": link }),
    ))
    .unwrap();
    let EventData::ExternalLink { url, .. } = event.data else {
        panic!("not a link");
    };
    assert_eq!(url, link[..500]);
}
