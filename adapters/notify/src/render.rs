//! What a delivery looks like on the wire: the plain-text email body and the webhook JSON.

use datafast_ports::notify::AlertDelivery;
use serde_json::{Value, json};

/// The email body: the alert's own message, then the context that triggered it.
pub fn render_body(delivery: &AlertDelivery) -> String {
    let visitor = delivery.visitor_id.as_deref().unwrap_or("unknown");
    format!(
        "{message}\n\n--\nAlert: {name}\nGoal: {goal}\nWebsite: {domain}\nVisitor: {visitor}\nTime: {time}\n",
        message = delivery.alert.message,
        name = delivery.alert.name,
        goal = delivery.goal_name,
        domain = delivery.domain,
        time = delivery.triggered_at,
    )
}

/// The webhook body, camelCase like the rest of the public API.
pub fn webhook_payload(delivery: &AlertDelivery) -> Value {
    json!({
        "alertId": delivery.alert.id.to_string(),
        "alertName": delivery.alert.name,
        "goalName": delivery.goal_name,
        "websiteId": delivery.alert.website_id.to_string(),
        "domain": delivery.domain,
        "visitorId": delivery.visitor_id,
        "triggeredAt": delivery.triggered_at.to_string(),
        "subject": delivery.alert.subject,
        "message": delivery.alert.message,
    })
}
