//! Tests of the `POST /api/events` wire shape: the spec's example payloads as JSON, unknown
//! fields, `extraData` values of every kind, and text borrowed from the body. The rules
//! themselves are tested in the domain, over drafts.

use serde_json::json;

use datafast_domain::ingest::{EventData, Size};

use super::*;

/// Reads `value` as the handler does: from the bytes of a request body.
fn parse(value: Value) -> Result<IncomingEvent, ApiError> {
    read_event(value.to_string().as_bytes())
}

fn sdk_custom_event() -> Value {
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

fn script_pageview() -> Value {
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

/// Each kind of JSON value reaches the rules as its kind, numbers printed as JSON prints them,
/// and `cookieless` counts only when it is `true`.
#[test]
fn extra_data_values_arrive_with_their_kind() {
    let body = r#"{"extraData":{"a":"x","b":3,"c":29.5,"d":1e300,"e":true,"f":null,
        "g":[1],"h":{"i":1}},"adClickIds":null,"cookieless":false}"#;
    let draft = serde_json::from_str::<RawEvent<'_>>(body)
        .unwrap()
        .into_draft();
    let kinds: Vec<_> = draft.extra_data.into_iter().collect();
    assert_eq!(
        kinds,
        [
            ("a".to_owned(), Sent::Text("x".into())),
            ("b".to_owned(), Sent::Number("3".into())),
            ("c".to_owned(), Sent::Number("29.5".into())),
            ("d".to_owned(), Sent::Number("1e+300".into())),
            ("e".to_owned(), Sent::Bool(true)),
            ("f".to_owned(), Sent::Null),
            ("g".to_owned(), Sent::Nested),
            ("h".to_owned(), Sent::Nested),
        ]
    );
    assert!(draft.ad_click_ids.is_empty());
    assert!(!draft.cookieless);
}

#[test]
fn text_fields_borrow_the_body_unless_they_hold_escapes() {
    let body = r#"{"href":"https://example.com/a","referrer":"https:\/\/x.com\/"}"#;
    let raw: RawEvent<'_> = serde_json::from_str(body).unwrap();
    assert!(matches!(
        raw.href.clone().map(|t| t.0),
        Some(Cow::Borrowed("https://example.com/a"))
    ));
    let referrer = raw.referrer.clone().unwrap();
    assert_eq!(&*referrer, "https://x.com/");
    assert!(matches!(referrer.0, Cow::Owned(_)));
    // The draft the rules read takes the text as it is, borrowed or not.
    let draft = raw.into_draft();
    assert!(matches!(
        draft.href,
        Some(Cow::Borrowed("https://example.com/a"))
    ));
    assert!(matches!(draft.referrer, Some(Cow::Owned(_))));
}
