//! Raw credentials exist only in the one response that creates them: never in the database
//! files, never in a later response.

use serde_json::json;

use crate::helpers::spawn_app;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn raw_tokens_and_keys_never_reach_the_database() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let token = app.create_token(&["analytics:read"], &[]).await;
    let key = app.create_api_key(&website).await;
    let (_, rolled) = app
        .post(
            &format!("/api/v1/admin/websites/{website}/apikeys"),
            json!({"name": "to roll"}),
        )
        .await;
    let id = rolled["data"][0]["_id"].as_str().unwrap().to_owned();
    let (_, rolled) = app
        .put(
            &format!("/api/v1/admin/websites/{website}/apikeys/{id}"),
            json!({}),
        )
        .await;
    let rolled_key = rolled["data"][0]["key"].as_str().unwrap().to_owned();
    let bytes = app.database_bytes();
    for raw in [&app.owner_token, &token, &key, &rolled_key] {
        // The secret part after the prefix is what matters.
        let secret = raw.split_once('_').unwrap().1;
        assert!(
            !contains(&bytes, secret.as_bytes()),
            "a raw credential is in the database"
        );
    }
    // And later responses only show display forms.
    let (_, tokens) = app.get("/api/v1/admin/access-tokens").await;
    let (_, keys) = app
        .get(&format!("/api/v1/admin/websites/{website}/apikeys"))
        .await;
    let listed = format!("{tokens}{keys}");
    for raw in [&token, &key, &rolled_key] {
        assert!(!listed.contains(raw.as_str()));
    }
}
