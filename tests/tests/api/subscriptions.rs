//! Subscriptions over the real server: a connected provider's subscriptions imported by the
//! sync, their automatic goals fired once each for the visitor they name, and MRR in the
//! overview, asked for or unasked on a website that leads with it.

use reqwest::Method;
use serde_json::{Value, json};

use datafast_domain::provider_subscription::{BillingInterval, IntervalUnit, SubscriptionStatus};
use datafast_provider_fakes::{Account, FakeSubscription};

use crate::helpers::{TestApp, spawn_app};
use crate::revenue_import::{ANN, BOB, STRIPE_KEY, half_an_hour_ago, sync, visited_website};

const YEARLY: BillingInterval = BillingInterval {
    unit: IntervalUnit::Year,
    count: 1,
};

/// Completions of each of the website's goals, by name.
async fn goal_completions(app: &TestApp, website: &str) -> Vec<(String, u64)> {
    let (status, reply) = app
        .get(&format!("/api/v1/admin/websites/{website}/goals"))
        .await;
    assert_eq!(status, 200, "{reply}");
    let mut goals: Vec<(String, u64)> = reply["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|goal| {
            let name = goal["name"].as_str()?.to_owned();
            let count = goal["total"].as_u64()?;
            Some((name, count))
        })
        .collect();
    goals.sort();
    goals
}

async fn overview(app: &TestApp, key: &str, query: &str) -> Value {
    let path = format!("/api/v1/analytics/overview{query}");
    let (status, reply) = app.send(Method::GET, key, &path, None).await;
    assert_eq!(status, 200, "{reply}");
    reply["data"][0].clone()
}

#[tokio::test]
async fn subscriptions_fire_their_goals_once_and_give_the_overview_its_mrr() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[]).await;
    let stripe = &app.providers.stripe;
    stripe.add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    let started = half_an_hour_ago() - 86_400;
    stripe.add_subscriptions([
        FakeSubscription::monthly("sub_ann", 2_900, "usd", started).by_visitor(ANN),
        FakeSubscription::monthly("sub_bob", 12_000, "usd", started + 60)
            .every(YEARLY)
            .in_status(SubscriptionStatus::Trialing)
            .by_visitor(BOB),
        FakeSubscription::monthly("sub_anon", 1_000, "usd", started + 120),
    ]);
    let connect = json!({"stripeRak": STRIPE_KEY});
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    assert_eq!(app.post(&format!("{base}/stripe"), connect).await.0, 200);
    sync(&app, &website).await;

    let goals = goal_completions(&app, &website).await;
    assert!(
        goals.contains(&("subscription_started".to_owned(), 1)),
        "{goals:?}"
    );
    assert!(
        goals.contains(&("trial_started".to_owned(), 1)),
        "{goals:?}"
    );
    // Ann's and the unattributed one's 29 + 10 a month; Bob's trial brings nothing yet.
    assert_eq!(
        overview(&app, &key, "?fields=mrr").await,
        json!({"mrr": 39.0})
    );
    assert!(
        overview(&app, &key, "").await.get("mrr").is_none(),
        "not asked for"
    );

    // A pass that finds nothing changed fires nothing again.
    sync(&app, &website).await;
    assert_eq!(goal_completions(&app, &website).await, goals);

    // Ann cancels at the end of her period: still paying, and the cancellation is a goal.
    let later = half_an_hour_ago() + 1_800 + 30 * 86_400;
    assert!(stripe.schedule_cancellation("sub_ann", later));
    sync(&app, &website).await;
    let goals = goal_completions(&app, &website).await;
    assert!(
        goals.contains(&("subscription_cancel_scheduled".to_owned(), 1)),
        "{goals:?}"
    );
    assert_eq!(
        overview(&app, &key, "?fields=mrr").await,
        json!({"mrr": 39.0})
    );

    // Bob's trial converts and Ann's subscription ends.
    let now = half_an_hour_ago() + 1_800;
    assert!(stripe.set_subscription_status("sub_bob", SubscriptionStatus::Active, now));
    assert!(stripe.set_subscription_status("sub_ann", SubscriptionStatus::Ended, now));
    sync(&app, &website).await;
    let goals = goal_completions(&app, &website).await;
    assert!(
        goals.contains(&("subscription_started".to_owned(), 2)),
        "{goals:?}"
    );
    assert!(
        goals.contains(&("trial_converted".to_owned(), 1)),
        "{goals:?}"
    );
    assert!(
        goals.contains(&("subscription_ended".to_owned(), 1)),
        "{goals:?}"
    );

    // A website that leads with MRR shows it unasked: Bob's 120 a year and the 10 a month.
    let settings = json!({"revenueMetric": "mrr"});
    let (status, reply) = app
        .put(&format!("/api/v1/admin/websites/{website}"), settings)
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(overview(&app, &key, "").await["mrr"], 20.0);

    // Disconnected: the provider's subscriptions, and their MRR, go with it.
    assert_eq!(app.delete(&format!("{base}/stripe")).await.0, 200);
    assert_eq!(
        overview(&app, &key, "?fields=mrr").await,
        json!({"mrr": 0.0})
    );
}
