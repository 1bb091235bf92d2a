//! Contract cases on visitor profiles: round trips, and the first profile id a visitor was
//! identified under is kept.

use jiff::Timestamp;

use datafast_domain::profile::VisitorProfile;
use datafast_domain::provider_payment::CheckoutEmail;
use datafast_ports::store::Storage;

use super::fixtures::*;

pub async fn profiles_round_trip_and_keep_their_first_id(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    assert_eq!(store.profile(site, "v1").await.unwrap(), None);

    let fine = Timestamp::new(EPOCH_SECOND, 123_456_789).unwrap();
    let kept = Timestamp::new(EPOCH_SECOND, 123_000_000).unwrap();
    let mut first = profile(site, "v1", "prof_first", fine);
    first.metadata = AWKWARD_TEXT
        .iter()
        .enumerate()
        .map(|(index, text)| (format!("key {index} {text}"), (*text).to_owned()))
        .collect();
    let saved = store.save_profile(&first).await.unwrap();
    let first_kept = VisitorProfile {
        identified_at: kept,
        ..first.clone()
    };
    assert_eq!(saved, first_kept);
    assert_eq!(store.profile(site, "v1").await.unwrap(), Some(first_kept));

    // A later identify replaces everything but the profile id.
    let replacement = VisitorProfile {
        profile_id: "prof_second".to_owned(),
        user_id: "user-42".to_owned(),
        metadata: [("name".to_owned(), "Ada".to_owned())]
            .into_iter()
            .collect(),
        ..profile(site, "v1", "", at(10))
    };
    let replaced = store.save_profile(&replacement).await.unwrap();
    let expected = VisitorProfile {
        profile_id: "prof_first".to_owned(),
        ..replacement
    };
    assert_eq!(replaced, expected);
    assert_eq!(store.profile(site, "v1").await.unwrap(), Some(expected));

    // Per website and per visitor, compared exactly.
    let elsewhere = profile(other, "v1", "prof_other", at(11));
    assert_eq!(store.save_profile(&elsewhere).await.unwrap(), elsewhere);
    assert_eq!(
        store.profile(other, "v1").await.unwrap(),
        Some(elsewhere.clone())
    );
    assert_eq!(store.profile(site, "V1").await.unwrap(), None);
    assert_eq!(store.profile(site, "v2").await.unwrap(), None);
    assert_eq!(
        store
            .profile(site, "v1")
            .await
            .unwrap()
            .map(|p| p.profile_id),
        Some("prof_first".to_owned())
    );

    // Listing: the website's profiles by visitor id, none of another website's.
    store
        .save_profile(&profile(site, "v0", "prof_zero", at(12)))
        .await
        .unwrap();
    let listed: Vec<(String, String)> = store
        .profiles(site)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.visitor_id, p.profile_id))
        .collect();
    assert_eq!(
        listed,
        [
            ("v0".to_owned(), "prof_zero".to_owned()),
            ("v1".to_owned(), "prof_first".to_owned())
        ]
    );
    assert_eq!(store.profiles(other).await.unwrap(), [elsewhere]);
}

pub async fn checkout_emails_keep_the_latest_visitor_per_email(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let checkout = |website, email, visitor, seconds| {
        CheckoutEmail::new(website, email, visitor, at(seconds)).unwrap()
    };
    assert!(store.checkout_emails(site).await.unwrap().is_empty());
    store
        .save_checkout_email(&checkout(site, "Ann@Example.com", "v1", 10))
        .await
        .unwrap();
    store
        .save_checkout_email(&checkout(site, "bob@example.com", "v2", 10))
        .await
        .unwrap();
    store
        .save_checkout_email(&checkout(other, "ann@example.com", "v9", 50))
        .await
        .unwrap();
    // A later checkout with the same email wins; an earlier one arriving late does not.
    store
        .save_checkout_email(&checkout(site, " ANN@example.com", "v3", 20))
        .await
        .unwrap();
    store
        .save_checkout_email(&checkout(site, "bob@example.com", "v4", 5))
        .await
        .unwrap();
    let mut kept = store.checkout_emails(site).await.unwrap();
    kept.sort_by(|a, b| a.email.cmp(&b.email));
    assert_eq!(
        kept,
        vec![
            checkout(site, "ann@example.com", "v3", 20),
            checkout(site, "bob@example.com", "v2", 10),
        ]
    );
    assert_eq!(store.checkout_emails(other).await.unwrap().len(), 1);
}
