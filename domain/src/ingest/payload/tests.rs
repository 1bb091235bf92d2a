//! Tests of payload validation over drafts: the spec's example payloads, hostile strings, and
//! properties over arbitrary input. How JSON bodies become drafts is tested in the HTTP
//! adapter (`wire/events`).

use super::*;
use crate::ingest::draft::{Sent, SizeDraft};
use crate::ingest::extra::MAX_PARAMS;
use crate::ingest::sanitize::is_clean;
use proptest::prelude::*;

/// A text value of `extraData`.
fn text(value: &str) -> Sent<'static> {
    Sent::Text(Cow::Owned(value.to_owned()))
}

/// `extraData` or `adClickIds` with these entries.
fn fields<const N: usize>(entries: [(&str, Sent<'static>); N]) -> SentFields<'static> {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

/// The spec's SDK custom event.
fn sdk_custom_event() -> EventDraft<'static> {
    EventDraft {
        website_id: Some("dfid_abc123".into()),
        domain: Some("example.com".into()),
        visitor_id: Some("0c424a08-3676-4e3a-a7e0-4ac419bb8c6c".into()),
        session_id: Some("s7a403e54-0983-4d84-bd9e-f82db331bb8e".into()),
        visitor_first_seen_at: Some("2026-05-21T10:00:00.000Z".into()),
        visitor_session_number: Some(1.0),
        href: Some("https://example.com/pricing".into()),
        referrer: None,
        kind: Some("custom".into()),
        viewport: Some(SizeDraft {
            width: Some(1280.0),
            height: Some(800.0),
        }),
        language: Some("en-US".into()),
        timezone: Some("Europe/Paris".into()),
        screen_width: Some(1920.0),
        screen_height: Some(1080.0),
        device: Some(DeviceDraft {
            platform: Some("web".into()),
            os_version: Some(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36".into(),
            ),
            model: Some("Browser".into()),
        }),
        extra_data: fields([
            ("eventName", text("signup")),
            ("plan", text("pro")),
            ("seats", text("3")),
        ]),
        ..EventDraft::default()
    }
}

/// The spec's script pageview.
fn script_pageview() -> EventDraft<'static> {
    EventDraft {
        website_id: Some("dfid_abc123".into()),
        domain: Some("example.com".into()),
        href: Some("https://www.example.com/blog?utm_source=x".into()),
        referrer: Some("https://www.google.com/".into()),
        viewport: Some(SizeDraft {
            width: Some(390.0),
            height: Some(844.0),
        }),
        visitor_id: Some("0C424A08-3676-4E3A-A7E0-4AC419BB8C6C".into()),
        session_id: Some("s7a403e54-0983-4d84-bd9e-f82db331bb8e".into()),
        ad_click_ids: fields([("gclid", text("abc")), ("nonsense", text("x"))]),
        kind: Some("pageview".into()),
        ..EventDraft::default()
    }
}

/// `base` with this `extraData`.
fn with_extra(base: EventDraft<'static>, extra: SentFields<'static>) -> EventDraft<'static> {
    EventDraft {
        extra_data: extra,
        ..base
    }
}

#[test]
fn the_sdk_custom_event_of_the_spec_validates() {
    let event = validate(sdk_custom_event()).unwrap();
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
fn the_script_pageview_validates() {
    let event = validate(script_pageview()).unwrap();
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
    let field = |draft: EventDraft<'static>| match validate(draft) {
        Err(IngestError::Invalid(e)) => e.field,
        Ok(_) => "accepted".to_owned(),
    };
    let base = script_pageview;
    let website = |id: Option<&'static str>| EventDraft {
        website_id: id.map(Cow::from),
        ..base()
    };
    assert_eq!(field(website(Some("abc123"))), "websiteId");
    assert_eq!(field(website(None)), "websiteId");
    assert_eq!(
        field(EventDraft {
            domain: Some("exa mple.com".into()),
            ..base()
        }),
        "domain"
    );
    assert_eq!(
        field(EventDraft {
            kind: Some("click".into()),
            ..base()
        }),
        "type"
    );
    let href = |href: String| EventDraft {
        href: Some(href.into()),
        ..base()
    };
    assert_eq!(field(href("javascript:alert(1)".into())), "href");
    assert_eq!(field(href("/relative".into())), "href");
    assert_eq!(field(href("ftp://example.com/".into())), "href");
    let long = format!("https://example.com/{}", "a".repeat(3000));
    assert_eq!(field(href(long)), "href");
    // Version 1 UUIDs and bad variants are refused.
    let visitor = |id: &'static str| EventDraft {
        visitor_id: Some(id.into()),
        ..base()
    };
    assert_eq!(
        field(visitor("0c424a08-3676-1e3a-a7e0-4ac419bb8c6c")),
        "visitorId"
    );
    assert_eq!(
        field(visitor("0c424a08-3676-4e3a-c7e0-4ac419bb8c6c")),
        "visitorId"
    );
    assert_eq!(
        field(EventDraft {
            session_id: Some("7a403e54-0983-4d84-bd9e-f82db331bb8e".into()),
            ..base()
        }),
        "sessionId"
    );
    // A referrer that is not an http(s) URL is simply no referrer.
    assert_eq!(
        field(EventDraft {
            referrer: Some("android-app://x".into()),
            ..base()
        }),
        "accepted"
    );
}

#[test]
fn cookieless_events_need_no_visitor_id() {
    let draft = EventDraft {
        cookieless: true,
        visitor_id: Some("anything".into()),
        visitor_first_seen_at: Some("2026-05-21T10:00:00Z".into()),
        ..script_pageview()
    };
    let event = validate(draft).unwrap();
    assert!(event.cookieless);
    assert_eq!(event.visitor_id, None);
    assert_eq!(event.visitor_first_seen_at, None);
}

#[test]
fn custom_events_are_checked() {
    let custom = |extra: SentFields<'static>| validate(with_extra(sdk_custom_event(), extra));
    assert!(custom(fields([("plan", text("pro"))])).is_err());
    assert!(custom(fields([("eventName", text("has space!"))])).is_err());
    assert!(
        custom(fields([("eventName", text("payment"))])).is_err(),
        "reserved name"
    );
    let mut too_many: SentFields<'static> = (0..11).map(|i| (format!("p{i}"), text("v"))).collect();
    too_many.insert("eventName".to_owned(), text("signup"));
    assert!(custom(too_many).is_err());
    let event = custom(fields([
        ("eventName", text("Sign Up")),
        ("Plan", text("<b>pro</b>")),
        ("bad key!", text("dropped")),
        ("seats", Sent::Number("3".to_owned())),
        ("trial", Sent::Bool(true)),
        ("nested", Sent::Nested),
        ("url", text("javascript:alert(document.cookie)")),
        ("handler", text("x onmouseover=steal()")),
    ]))
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
    let typed = |kind: &'static str, extra: SentFields<'static>| {
        let draft = EventDraft {
            kind: Some(kind.into()),
            ..sdk_custom_event()
        };
        validate(with_extra(draft, extra))
    };
    let number = |n: &str| Sent::Number(n.to_owned());
    let identify = typed(
        "identify",
        fields([
            ("user_id", text("u_42")),
            ("name", text("Ada <3")),
            ("image", text("")),
            ("plan", text("pro")),
        ]),
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
    assert!(typed("identify", fields([("name", text("x"))])).is_err());
    assert!(typed("identify", fields([("user_id", text(&"x".repeat(256)))])).is_err());

    let payment = typed(
        "payment",
        fields([
            ("stripe_session_id", text("cs_test_1")),
            ("amount", number("29.5")),
            ("currency", text("eur")),
        ]),
    )
    .unwrap();
    let EventData::Payment(data) = payment.data else {
        panic!("not a payment");
    };
    assert_eq!(data.stripe_session_id.as_deref(), Some("cs_test_1"));
    assert_eq!(data.amount, Some(29.5));
    assert_eq!(data.currency.clone().unwrap().as_str(), "EUR");
    assert_eq!(
        data.references(),
        vec![crate::payment_reference::PaymentReference::StripeCheckoutSession("cs_test_1".into())]
    );
    let every = PaymentData {
        stripe_session_id: Some("cs_1".into()),
        lemonsqueezy_order_id: Some("2".into()),
        polar_checkout_id: Some("c-3".into()),
        paddle_transaction_id: Some("txn_4".into()),
        ..PaymentData::default()
    };
    let providers: Vec<_> = every
        .references()
        .iter()
        .map(|r| (r.provider(), r.id().to_owned()))
        .collect();
    use crate::integration::Provider;
    assert_eq!(
        providers,
        vec![
            (Provider::Stripe, "cs_1".to_owned()),
            (Provider::LemonSqueezy, "2".to_owned()),
            (Provider::Polar, "c-3".to_owned()),
            (Provider::Paddle, "txn_4".to_owned()),
        ]
    );
    assert!(typed("payment", fields([("email", text("buyer@example.com"))])).is_ok());
    assert!(
        typed("payment", fields([("amount", number("10"))])).is_err(),
        "no identifier"
    );
    assert!(typed("payment", fields([("email", text("not-an-email"))])).is_err());
    let email = ("email", text("a@b.co"));
    assert!(typed("payment", fields([email.clone(), ("amount", number("-1"))])).is_err());
    assert!(typed("payment", fields([email, ("currency", text("XYZ1"))])).is_err());

    let link = typed(
        "external_link",
        fields([
            ("url", text("https://github.com/x")),
            ("text", text("<b>Repo</b>")),
        ]),
    )
    .unwrap();
    assert_eq!(
        link.data,
        EventData::ExternalLink {
            url: "https://github.com/x".into(),
            text: Some("bRepo/b".into())
        }
    );
    assert!(
        typed(
            "external_link",
            fields([("url", text("javascript:alert(1)"))])
        )
        .is_err()
    );
    assert!(typed("external_link", fields([])).is_err());
}

#[test]
fn malformed_optional_fields_are_dropped_not_refused() {
    let draft = EventDraft {
        language: Some("<script>".into()),
        timezone: Some("x".repeat(100).into()),
        visitor_session_number: Some(2_000_000.0),
        visitor_first_seen_at: Some("yesterday".into()),
        viewport: Some(SizeDraft {
            width: Some(-5.0),
            height: Some(800.0),
        }),
        screen_width: Some(1e300),
        ..sdk_custom_event()
    };
    let event = validate(draft).unwrap();
    assert_eq!(event.language, None);
    assert_eq!(event.timezone, None);
    assert_eq!(event.visitor_session_number, None);
    assert_eq!(event.visitor_first_seen_at, None);
    assert_eq!(event.viewport, None);
    assert_eq!(event.screen, None);
}

/// Text that often hits the rules: real ids and URLs, markup, schemes.
fn any_text() -> impl Strategy<Value = String> {
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

/// A value of `extraData` or `adClickIds`: what a JSON scalar of any kind becomes (a number
/// JSON cannot write, as null).
fn any_sent() -> impl Strategy<Value = Sent<'static>> {
    prop_oneof![
        any_text().prop_map(|t| Sent::Text(t.into())),
        any::<f64>().prop_map(|n| if n.is_finite() {
            Sent::Number(n.to_string())
        } else {
            Sent::Null
        }),
        any::<i64>().prop_map(|n| Sent::Number(n.to_string())),
        any::<bool>().prop_map(Sent::Bool),
        Just(Sent::Null),
    ]
}

fn any_draft() -> impl Strategy<Value = EventDraft<'static>> {
    (
        (
            proptest::option::of(any_text()),
            proptest::option::of(any_text()),
            proptest::option::of(any_text()),
            proptest::option::of(any_text()),
            proptest::option::of(any_text()),
            proptest::option::of(any_text()),
            proptest::option::of(prop_oneof![
                Just("pageview".to_owned()),
                Just("custom".to_owned()),
                Just("identify".to_owned()),
                Just("payment".to_owned()),
                Just("external_link".to_owned()),
                any_text(),
            ]),
        ),
        (
            proptest::option::of(proptest::collection::btree_map(
                any_text(),
                any_sent(),
                0..14,
            )),
            proptest::option::of(proptest::collection::btree_map(
                any_text(),
                any_sent(),
                0..4,
            )),
            proptest::option::of(any::<f64>()),
            proptest::option::of(any::<f64>()),
            proptest::option::of(any_text()),
            proptest::option::of(any_text()),
            proptest::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (website_id, domain, visitor_id, session_id, href, referrer, kind),
                (mut extra, ad_click_ids, session_number, width, language, first_seen, cookieless),
            )| {
                if let (Some(extra), Some(name)) = (extra.as_mut(), language.clone()) {
                    extra.insert("eventName".to_owned(), Sent::Text(name.into()));
                }
                EventDraft {
                    website_id: website_id.map(Cow::from),
                    domain: domain.map(Cow::from),
                    visitor_id: visitor_id.map(Cow::from),
                    session_id: session_id.map(Cow::from),
                    href: href.map(Cow::from),
                    referrer: referrer.map(Cow::from),
                    kind: kind.map(Cow::from),
                    viewport: Some(SizeDraft {
                        width,
                        height: session_number,
                    }),
                    ad_click_ids: ad_click_ids.unwrap_or_default(),
                    extra_data: extra.unwrap_or_default(),
                    visitor_first_seen_at: first_seen.map(Cow::from),
                    visitor_session_number: session_number,
                    language: language.map(Cow::from),
                    timezone: None,
                    screen_width: width,
                    screen_height: width,
                    device: None,
                    cookieless: cookieless == Some(true),
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
    fn validate_never_panics_and_sanitises(draft in any_draft()) {
        if let Ok(event) = validate(draft) {
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The whole ingestion path short of storage: validate, read the user agent, build the
    /// visit context. Nothing panics, and every stored label stays bounded and clean.
    #[test]
    fn parsing_and_enrichment_never_panic(draft in any_draft(), agent in any_text()) {
        use crate::ingest::{Place, user_agent_info, visit_context};
        use crate::website::Domain;
        if let Ok(event) = validate(draft) {
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
}

/// What a hostile client sends to grow the server's memory: a long made-up path and host, a
/// long referrer host, and a long link. Real pages keep their events with the path cut;
/// hosts no DNS name can have are refused (the page) or ignored (the referrer).
#[test]
fn long_paths_hosts_and_links_are_bounded() {
    let page = |href: String| EventDraft {
        href: Some(href.into()),
        ..script_pageview()
    };
    let referred = |referrer: String| EventDraft {
        referrer: Some(referrer.into()),
        ..script_pageview()
    };
    let path = format!("https://example.com/{}", "a".repeat(1700));
    let event = validate(page(path)).unwrap();
    assert_eq!(event.page.path, format!("/{}", "a".repeat(499)));
    // A cut never ends inside a percent escape: `%C3%A9` stays whole or goes whole.
    let escaped = format!("https://example.com/{}é", "a".repeat(497));
    let event = validate(page(escaped)).unwrap();
    assert_eq!(event.page.path, format!("/{}", "a".repeat(497)));
    let escaped = format!("https://example.com/{}é", "a".repeat(493));
    let event = validate(page(escaped)).unwrap();
    assert_eq!(event.page.path, format!("/{}%C3%A9", "a".repeat(493)));

    // Five labels of 60 letters: 305 characters, more than any DNS name.
    let long_host = format!("{}example.com", format!("{}.", "h".repeat(60)).repeat(5));
    let refused = validate(page(format!("https://{long_host}/")));
    let Err(IngestError::Invalid(error)) = refused else {
        panic!("a 305-character host was accepted");
    };
    assert_eq!(error.field, "href");
    let event = validate(referred(format!("https://{long_host}/"))).unwrap();
    assert_eq!(event.referrer, None, "a referrer no DNS name can have");
    let longest = format!("{}example.com", format!("{}.", "h".repeat(59)).repeat(4));
    assert_eq!(longest.len(), 251);
    let event = validate(referred(format!("https://{longest}/"))).unwrap();
    assert_eq!(event.referrer.map(|r| r.host), Some(longest));

    let link = format!("https://github.com/{}", "x".repeat(1500));
    let draft = EventDraft {
        kind: Some("external_link".into()),
        ..sdk_custom_event()
    };
    let event = validate(with_extra(draft, fields([("url", text(&link))]))).unwrap();
    let EventData::ExternalLink { url, .. } = event.data else {
        panic!("not a link");
    };
    assert_eq!(url, link[..500]);
}
