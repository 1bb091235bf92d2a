//! No credential acts beyond the principal that made it, and a removal or revocation kills
//! everything derived from it. One black-box case per way authority was found to leak: a
//! website key outgrowing the token that made it, a website-scoped token acting account-wide,
//! a removed member's keys, rolling a key into a stronger one, an invitation granting more
//! than its sender holds, and foreign website ids answering differently from unknown ones.

use serde_json::json;

use crate::helpers::{TestApp, assert_error, spawn_app};

const UNKNOWN_WEBSITE: &str = "0123456789abcdef01234567";

async fn create_key_as(app: &TestApp, token: &str, website: &str) -> (String, String) {
    let (status, body) = app
        .post_as(
            token,
            &format!("/api/v1/admin/websites/{website}/apikeys"),
            json!({"name": "derived"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let key = &body["data"][0];
    (
        key["key"].as_str().unwrap().to_owned(),
        key["_id"].as_str().unwrap().to_owned(),
    )
}

async fn create_token_as(app: &TestApp, token: &str, permissions: &[&str]) -> (String, String) {
    let (status, body) = app
        .post_as(
            token,
            "/api/v1/admin/access-tokens",
            json!({"name": "derived", "permissions": permissions}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let token = &body["data"][0];
    (
        token["key"].as_str().unwrap().to_owned(),
        token["_id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_website_key_holds_no_permission_its_creating_token_lacks() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let narrow = app.create_token(&["api-keys:write"], &[&website]).await;
    let settings = format!("/api/v1/admin/websites/{website}");
    let (status, body) = app.put_as(&narrow, &settings, json!({"name": "x"})).await;
    assert_error(status, &body, 403);

    let (key, _) = create_key_as(&app, &narrow, &website).await;
    let (status, body) = app.put_as(&key, &settings, json!({"name": "x"})).await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .send(
            reqwest::Method::DELETE,
            &key,
            "/api/v1/payments?transaction_id=tx_1",
            None,
        )
        .await;
    assert_error(status, &body, 403);
    let (status, body) = app.get_as(&key, "/api/v1/analytics/overview").await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .get_as(&key, &format!("/api/v1/admin/websites/{website}/team"))
        .await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .post_as(
            &key,
            &format!("/api/v1/admin/websites/{website}/integrations/stripe"),
            json!({"stripeRak": "rk_live_0123456789abcdefghijklmnop"}),
        )
        .await;
    assert_error(status, &body, 403);
    let (_, after) = app.get(&settings).await;
    assert_ne!(after["data"][0]["name"], "x");

    // What the creating token held, the key holds too.
    let writer = app
        .create_token(&["api-keys:write", "settings:write"], &[&website])
        .await;
    let (key, _) = create_key_as(&app, &writer, &website).await;
    let (status, body) = app.put_as(&key, &settings, json!({"name": "y"})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_scoped_token_lists_and_revokes_only_tokens_within_its_own_power() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let scoped = app
        .create_token(&["api-keys:read", "api-keys:write"], &[&website])
        .await;
    let (status, body) = app.get_as(&scoped, "/api/v1/admin/access-tokens").await;
    assert_eq!(status, 200, "{body}");
    let listed = body["data"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .all(|token| token["permissions"] != json!(["*"])),
        "a scoped token sees an unrestricted one: {body}"
    );

    let (_, owner_tokens) = app.get("/api/v1/admin/access-tokens").await;
    let full_id = owner_tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|token| token["permissions"] == json!(["*"]))
        .and_then(|token| token["_id"].as_str())
        .unwrap()
        .to_owned();
    let (status, body) = app
        .send(
            reqwest::Method::DELETE,
            &scoped,
            &format!("/api/v1/admin/access-tokens/{full_id}"),
            None,
        )
        .await;
    assert_error(status, &body, 404);
    assert_eq!(app.get("/api/v1/admin/account").await.0, 200);
}

#[tokio::test]
async fn only_an_unrestricted_token_accepts_an_invitation() {
    let app = spawn_app().await;
    let first = app.create_website("first.example.com").await;
    let second = app.create_website("second.example.com").await;
    let member_full = app.add_member(&first, "member@example.com", "member").await;
    let (status, body) = app
        .post_as(
            &member_full,
            "/api/v1/admin/access-tokens",
            json!({"permissions": ["team:read", "team:write"], "websiteIds": [first]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let member_scoped = body["data"][0]["key"].as_str().unwrap().to_owned();
    let (_, invited) = app
        .post(
            &format!("/api/v1/admin/websites/{second}/team"),
            json!({"email": "member@example.com", "role": "member"}),
        )
        .await;
    let invitation = invited["data"][0]["invitationId"].as_str().unwrap();
    let accept = format!("/api/v1/admin/invitations/{invitation}/accept");
    let (status, body) = app.post_as(&member_scoped, &accept, json!({})).await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .get_as(&member_full, &format!("/api/v1/admin/websites/{second}"))
        .await;
    assert_error(status, &body, 404);

    let (status, body) = app.post_as(&member_full, &accept, json!({})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_scoped_token_cannot_create_websites() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let scoped = app.create_token(&["websites:write"], &[&website]).await;
    let (status, body) = app
        .post_as(
            &scoped,
            "/api/v1/admin/websites",
            json!({"domain": "other.example.com"}),
        )
        .await;
    assert_error(status, &body, 403);
}

#[tokio::test]
async fn removing_a_member_kills_the_keys_they_made() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let member = app
        .add_member(&website, "member@example.com", "member")
        .await;
    let (key, _) = create_key_as(&app, &member, &website).await;
    let settings = format!("/api/v1/admin/websites/{website}");
    assert_eq!(app.get_as(&key, &settings).await.0, 200);

    let (_, team) = app.get(&format!("{settings}/team")).await;
    let member_id = team["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["email"] == "member@example.com")
        .and_then(|entry| entry["userId"].as_str())
        .unwrap()
        .to_owned();
    let (status, body) = app
        .delete_with_body(&format!("{settings}/team"), json!({"userId": member_id}))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = app.put_as(&key, &settings, json!({"name": "x"})).await;
    assert_error(status, &body, 401);
    let (_, keys) = app.get(&format!("{settings}/apikeys")).await;
    assert_eq!(keys["data"].as_array().unwrap().len(), 0, "{keys}");
}

#[tokio::test]
async fn revoking_a_token_kills_every_token_key_and_invitation_made_with_it() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let (parent, parent_id) = create_token_as(&app, &app.owner_token, &["*"]).await;
    let (child, _) = create_token_as(&app, &parent, &["analytics:read"]).await;
    let (key, _) = create_key_as(&app, &parent, &website).await;
    let team = format!("/api/v1/admin/websites/{website}/team");
    let (status, body) = app
        .post_as(&parent, &team, json!({"email": "later@example.com"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.get_as(&child, "/api/v1/admin/account").await.0, 200);

    let (status, body) = app
        .delete(&format!("/api/v1/admin/access-tokens/{parent_id}"))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.get_as(&child, "/api/v1/admin/account").await;
    assert_error(status, &body, 401);
    let (status, body) = app
        .get_as(&key, &format!("/api/v1/admin/websites/{website}"))
        .await;
    assert_error(status, &body, 401);
    let (_, listed) = app.get(&team).await;
    assert!(
        !listed.to_string().contains("later@example.com"),
        "the invitation outlived its token: {listed}"
    );
}

#[tokio::test]
async fn rolling_a_key_never_hands_over_more_than_the_roller_holds() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let (strong_key, key_id) = create_key_as(&app, &app.owner_token, &website).await;
    let weak = app.create_token(&["api-keys:write"], &[&website]).await;
    let roll = format!("/api/v1/admin/websites/{website}/apikeys/{key_id}");
    let (status, body) = app.put_as(&weak, &roll, json!({})).await;
    assert_error(status, &body, 403);
    let settings = format!("/api/v1/admin/websites/{website}");
    assert_eq!(app.get_as(&strong_key, &settings).await.0, 200);

    // A roll by a token that holds as much re-issues the key under that token.
    let (roller, roller_id) = create_token_as(&app, &app.owner_token, &["*"]).await;
    let (status, body) = app.put_as(&roller, &roll, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let rolled = body["data"][0]["key"].as_str().unwrap().to_owned();
    assert_eq!(app.get_as(&rolled, &settings).await.0, 200);
    app.delete(&format!("/api/v1/admin/access-tokens/{roller_id}"))
        .await;
    let (status, body) = app.get_as(&rolled, &settings).await;
    assert_error(status, &body, 401);
}

#[tokio::test]
async fn an_invitation_grants_no_more_than_its_sender_holds() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let inviter = app.create_token(&["team:write"], &[&website]).await;
    let team = format!("/api/v1/admin/websites/{website}/team");
    let (status, body) = app
        .post_as(
            &inviter,
            &team,
            json!({"email": "m@example.com", "role": "member"}),
        )
        .await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .post_as(
            &inviter,
            &team,
            json!({"email": "v@example.com", "role": "viewer"}),
        )
        .await;
    assert_error(status, &body, 403);
    let (_, listed) = app.get(&team).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
}

#[tokio::test]
async fn a_foreign_website_answers_like_an_unknown_one() {
    let app = spawn_app().await;
    let other = app.new_account_token("other@example.com").await;
    let (status, body) = app
        .post_as(
            &other,
            "/api/v1/admin/websites",
            json!({"domain": "foreign.example.com"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let foreign = body["data"][0]["websiteId"].as_str().unwrap().to_owned();
    for website in [foreign.as_str(), UNKNOWN_WEBSITE] {
        let (status, body) = app
            .get(&format!("/api/v1/admin/websites/{website}/funnels"))
            .await;
        assert_error(status, &body, 404);
        let (status, body) = app
            .get(&format!("/api/v1/analytics/overview?websiteId={website}"))
            .await;
        assert_error(status, &body, 404);
    }
}
