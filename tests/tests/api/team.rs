//! `/websites/{id}/team` and `/invitations`: invite, pending until accepted, roles enforced,
//! owner-only changes.

use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn invite_accept_and_remove() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/team");
    let (status, body) = app
        .post(
            &base,
            json!({"email": "member@example.com", "role": "member"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let invitation = body["data"][0]["invitationId"].as_str().unwrap().to_owned();
    assert_eq!(body["data"][0]["role"], "member");

    let (_, team) = app.get(&base).await;
    let rows = team["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["role"], "owner");
    assert_eq!(rows[1]["status"], "pending");

    // The invitee, once it has an account, sees and accepts its invitation.
    let member = app.new_account_token("member@example.com").await;
    let (status, body) = app
        .get_as(&member, &format!("/api/v1/admin/websites/{website}"))
        .await;
    assert_error(status, &body, 404);
    let (_, mine) = app.get_as(&member, "/api/v1/admin/invitations").await;
    assert_eq!(mine["data"][0]["invitationId"], invitation.as_str());
    let (status, body) = app
        .post_as(
            &member,
            &format!("/api/v1/admin/invitations/{invitation}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .get_as(&member, &format!("/api/v1/admin/websites/{website}"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["role"], "member");

    // Members change settings but not the team.
    let (status, _) = app
        .put_as(
            &member,
            &format!("/api/v1/admin/websites/{website}"),
            json!({"name": "by member"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .post_as(&member, &base, json!({"email": "third@example.com"}))
        .await;
    assert_error(status, &body, 403);

    let member_id = app.get(&base).await.1["data"][1]["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app
        .delete_with_body(&base, json!({"userId": member_id}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .get_as(&member, &format!("/api/v1/admin/websites/{website}"))
        .await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn viewers_read_but_cannot_write() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let viewer = app
        .add_member(&website, "viewer@example.com", "viewer")
        .await;
    assert_eq!(
        app.get_as(&viewer, &format!("/api/v1/admin/websites/{website}"))
            .await
            .0,
        200
    );
    let (status, body) = app
        .put_as(
            &viewer,
            &format!("/api/v1/admin/websites/{website}"),
            json!({"name": "nope"}),
        )
        .await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .post_as(&viewer, &format!("/api/v1/admin/websites/{website}/funnels"), json!({"name": "f", "steps": [{"type": "pageview", "url": "/"}, {"type": "goal", "goalName": "signup"}]}))
        .await;
    assert_error(status, &body, 403);
}

#[tokio::test]
async fn invitation_errors() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/team");
    for bad in [
        json!({"email": "not-an-email"}),
        json!({"email": "owner@example.com"}),
        json!({"email": "x@example.com", "role": "owner"}),
        json!({}),
    ] {
        let (status, body) = app.post(&base, bad).await;
        assert_error(status, &body, 400);
    }
    assert_eq!(
        app.post(&base, json!({"email": "dup@example.com"})).await.0,
        200
    );
    let (status, body) = app.post(&base, json!({"email": "DUP@example.com"})).await;
    assert_error(status, &body, 409);
    app.add_member(&website, "member@example.com", "member")
        .await;
    let (status, body) = app
        .post(&base, json!({"email": "member@example.com"}))
        .await;
    assert_error(status, &body, 409);
    let owner_id = app.get("/api/v1/admin/account").await.1["data"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = app
        .delete_with_body(&base, json!({"userId": owner_id}))
        .await;
    assert_error(status, &body, 400);
}

#[tokio::test]
async fn a_stranger_cannot_accept_someone_elses_invitation() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let (_, body) = app
        .post(
            &format!("/api/v1/admin/websites/{website}/team"),
            json!({"email": "member@example.com"}),
        )
        .await;
    let invitation = body["data"][0]["invitationId"].as_str().unwrap().to_owned();
    let stranger = app.new_account_token("stranger@example.com").await;
    let (status, body) = app
        .post_as(
            &stranger,
            &format!("/api/v1/admin/invitations/{invitation}/accept"),
            json!({}),
        )
        .await;
    assert_error(status, &body, 404);
}
