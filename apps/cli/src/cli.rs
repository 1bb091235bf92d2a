//! The command line: every command, argument and flag, with clap's derive. Names follow
//! DataFast's CLI so scripts written for one run against the other.

// A command line is parsed once per run; boxing variants would only make the code noisier.
#![allow(clippy::large_enum_variant)]

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::period::Period;

#[derive(Debug, Parser)]
#[command(
    name = "datafast",
    version,
    about = "Manage a DataFast-compatible analytics server from the terminal",
    long_about = "Manage a DataFast-compatible analytics server from the terminal.\n\n\
        Settings come from flags, then DATAFAST_TOKEN / DATAFAST_SITE_KEY / DATAFAST_API_BASE, \
        then the config file ($XDG_CONFIG_HOME/datafast/config.json).",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Print the server's `data` as JSON, unchanged, instead of a table
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// Account token (dft_...); overrides DATAFAST_TOKEN and the config file
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Website API key (df_...); overrides DATAFAST_SITE_KEY and the config file
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "KEY"
    )]
    pub site_key: Option<String>,
    /// Server base URL, e.g. http://127.0.0.1:8080; overrides DATAFAST_API_BASE
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub api_base: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Save a token or site key (checked against the server first); pass it with --token or
    /// paste it when asked
    Login,
    /// Remove the saved token and site key
    Logout,
    /// Show the account the credential belongs to
    Whoami,
    /// Show or change the CLI's configuration
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Show or rename the account
    #[command(subcommand)]
    Account(AccountCommand),
    /// Websites, their API keys, KPI and team
    #[command(subcommand, visible_alias = "website")]
    Websites(WebsitesCommand),
    /// Account tokens (dft_)
    #[command(subcommand, visible_alias = "token")]
    Tokens(TokensCommand),
    /// Funnels of a website
    #[command(visible_alias = "funnel")]
    Funnels(FunnelsArgs),
    /// Goal alerts of a website
    #[command(visible_alias = "alert")]
    Alerts(AlertsArgs),
    /// Tracked goals and their display customizations
    #[command(visible_alias = "goal")]
    Goals(GoalsArgs),
    /// Payment provider integrations and their revenue import
    #[command(visible_alias = "integration")]
    Integrations(IntegrationsArgs),
    /// Invitations addressed to you
    #[command(subcommand, visible_alias = "invitation")]
    Invitations(InvitationsCommand),
    /// Analytics reports (Website API)
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
    /// Visitors (Website API)
    #[command(subcommand, visible_alias = "visitor")]
    Visitors(VisitorsCommand),
    /// Print a shell completion script
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings in force and where each comes from (secrets masked)
    Show,
    /// Set the default website used when a command is given none
    SetWebsite {
        #[arg(value_name = "WEBSITE_ID")]
        website_id: String,
    },
    /// Forget the default website
    ClearWebsite,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Show the account (same as whoami)
    Show,
    /// Change the account's display name
    Update {
        #[arg(long)]
        name: String,
    },
}

/// `[WEBSITE_ID] ID`: the website may be left to the configured default.
#[derive(Debug, Clone, Args)]
pub struct ScopedId {
    /// [WEBSITE_ID] ID; the website defaults to `config set-website`
    #[arg(value_name = "IDS", num_args = 1..=2, required = true)]
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct WebsiteOnly {
    /// The website; defaults to `config set-website`
    #[arg(value_name = "WEBSITE_ID")]
    pub website_id: Option<String>,
    /// The website, as a flag instead of the positional WEBSITE_ID
    #[arg(
        long = "website",
        value_name = "WEBSITE_ID",
        conflicts_with = "website_id"
    )]
    pub website_flag: Option<String>,
}

impl WebsiteOnly {
    /// The website named on the command line, positionally or with `--website`.
    pub fn chosen(&self) -> Option<&str> {
        self.website_id.as_deref().or(self.website_flag.as_deref())
    }
}

#[derive(Debug, Clone, Args)]
pub struct Confirm {
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum WebsitesCommand {
    /// List the websites the credential reaches
    List,
    /// Show one website's settings
    Get(WebsiteOnly),
    /// Create a website
    Create {
        #[arg(long)]
        domain: String,
        /// IANA time zone, e.g. America/New_York (server default UTC)
        #[arg(long)]
        timezone: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Change a website's settings (only the flags given)
    Update {
        #[command(flatten)]
        website: WebsiteOnly,
        #[command(flatten)]
        settings: WebsiteSettingsArgs,
    },
    /// Delete a website (the server refuses: deletion is dashboard-only)
    Delete {
        #[command(flatten)]
        website: WebsiteOnly,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Show or set the website's KPI goal, colour scheme and revenue metric
    Kpi(KpiArgs),
    /// Website API keys (df_)
    #[command(subcommand, visible_alias = "apikey")]
    Apikeys(ApiKeysCommand),
    /// Team members and invitations
    #[command(subcommand)]
    Team(TeamCommand),
}

#[derive(Debug, Clone, Args)]
pub struct WebsiteSettingsArgs {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub domain: Option<String>,
    #[arg(long)]
    pub timezone: Option<String>,
    /// ISO currency code, e.g. USD
    #[arg(long)]
    pub currency: Option<String>,
    /// The KPI goal name
    #[arg(long)]
    pub kpi: Option<String>,
    #[arg(long, value_enum)]
    pub kpi_color_scheme: Option<ColorScheme>,
    #[arg(long, value_enum)]
    pub revenue_metric: Option<RevenueMetric>,
    #[arg(long, value_name = "BOOL")]
    pub cookieless: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub include_renewal_revenue: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub send_weekly_reports: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub send_viral_traffic_alerts: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub public_dashboard: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub public_data: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub attack_mode: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub all_hostnames_allowed: Option<bool>,
    /// Comma-separated; an empty value clears the list
    #[arg(long, value_name = "LIST")]
    pub allowed_hostnames: Option<String>,
    /// Comma-separated; an empty value clears the list
    #[arg(long, value_name = "LIST")]
    pub excluded_ips: Option<String>,
    /// Comma-separated; an empty value clears the list
    #[arg(long, value_name = "LIST")]
    pub excluded_paths: Option<String>,
    /// Comma-separated; an empty value clears the list
    #[arg(long, value_name = "LIST")]
    pub excluded_countries: Option<String>,
    /// Comma-separated; an empty value clears the list
    #[arg(long, value_name = "LIST")]
    pub excluded_hostnames: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorScheme {
    Red,
    Orange,
    Yellow,
    Green,
    Purple,
    Pink,
    Gray,
    Blue,
    Teal,
    Indigo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RevenueMetric {
    Revenue,
    Mrr,
}

#[derive(Debug, Clone, Args)]
pub struct KpiArgs {
    #[command(flatten)]
    pub website: WebsiteOnly,
    /// Set the KPI to this goal name
    #[arg(long, conflicts_with = "clear")]
    pub goal: Option<String>,
    /// Remove the KPI goal
    #[arg(long)]
    pub clear: bool,
    #[arg(long, value_enum)]
    pub color_scheme: Option<ColorScheme>,
    #[arg(long, value_enum)]
    pub revenue_metric: Option<RevenueMetric>,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// List a website's API keys (masked)
    List(WebsiteOnly),
    /// Create an API key; the raw key is shown once
    Create {
        #[command(flatten)]
        website: WebsiteOnly,
        #[arg(long)]
        name: Option<String>,
    },
    /// Replace a key's secret; the new raw key is shown once
    Roll(ScopedId),
    /// Revoke an API key
    Delete {
        #[command(flatten)]
        ids: ScopedId,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// List members and pending invitations
    List(WebsiteOnly),
    /// Invite someone by email (they accept with `datafast invitations accept`)
    Invite {
        #[command(flatten)]
        website: WebsiteOnly,
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value_t = InviteRole::Viewer)]
        role: InviteRole,
    },
    /// Remove a member or withdraw an invitation, by user id, invitation id or email
    Remove {
        /// [WEBSITE_ID] MEMBER, where MEMBER is a user id, an invitation id or an email
        #[arg(value_name = "IDS", num_args = 1..=2, required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InviteRole {
    Viewer,
    Member,
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// List account tokens (masked)
    List,
    /// Create an account token; the raw token is shown once
    Create {
        #[arg(long)]
        name: Option<String>,
        /// Comma-separated permissions, or "*" (default "*")
        #[arg(long, value_name = "LIST")]
        permissions: Option<String>,
        /// Comma-separated website ids (default: all websites)
        #[arg(long, value_name = "LIST")]
        websites: Option<String>,
    },
    /// Revoke an account token
    Delete {
        #[arg(value_name = "TOKEN_ID")]
        token_id: String,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FunnelsArgs {
    #[command(subcommand)]
    pub command: Option<FunnelsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum FunnelsCommand {
    /// List a website's funnels
    List {
        #[command(flatten)]
        website: WebsiteOnly,
        /// Also list disabled funnels
        #[arg(long)]
        include_inactive: bool,
    },
    /// Show a funnel's definition
    Get(ScopedId),
    /// Show a funnel's results: visitors, conversion and drop-off per step (analytics API)
    View {
        #[command(flatten)]
        ids: ScopedId,
        #[command(flatten)]
        range: RangeArgs,
        #[command(flatten)]
        filters: FilterArgs,
    },
    /// Create a funnel
    Create {
        #[command(flatten)]
        website: WebsiteOnly,
        #[arg(long)]
        name: String,
        /// JSON array of 2-8 steps, e.g. '[{"name":"Pricing","type":"pageview","url":"/pricing"},...]'
        #[arg(long)]
        steps: String,
    },
    /// Rename, change steps, enable or disable a funnel
    Update {
        #[command(flatten)]
        ids: ScopedId,
        #[arg(long)]
        name: Option<String>,
        /// JSON array of 2-8 steps
        #[arg(long)]
        steps: Option<String>,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Delete a funnel
    Delete {
        #[command(flatten)]
        ids: ScopedId,
        #[command(flatten)]
        confirm: Confirm,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct IntegrationsArgs {
    /// Without a subcommand: the website whose status to show
    #[arg(long = "website", value_name = "WEBSITE_ID")]
    pub website: Option<String>,
    #[command(subcommand)]
    pub command: Option<IntegrationsCommand>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// List a website's alerts
    List(WebsiteOnly),
    /// Show one alert with its recent deliveries
    Get(ScopedId),
    /// Create an alert on a goal
    Create(NewAlertArgs),
    /// Change an alert (only the flags given)
    Update(AlertChangesArgs),
    /// Delete an alert
    Delete {
        #[command(flatten)]
        ids: ScopedId,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Show alert deliveries, newest first
    History {
        #[command(flatten)]
        website: WebsiteOnly,
        /// Only this alert's deliveries
        #[arg(long, value_name = "ALERT_ID")]
        alert: Option<String>,
        /// How many rows (1-100, server default 50)
        #[arg(long)]
        limit: Option<u32>,
    },
}

// `alerts create`. No doc comment: clap would show it as the command's about, which the
// variant's own doc gives.
#[derive(Debug, Args)]
pub struct NewAlertArgs {
    #[command(flatten)]
    pub website: WebsiteOnly,
    #[arg(long)]
    pub name: String,
    /// The goal that triggers the alert
    #[arg(long)]
    pub goal: String,
    /// Email subject (default: the alert's name)
    #[arg(long)]
    pub subject: Option<String>,
    /// Email body, 10-2000 characters (default: a sentence naming the goal)
    #[arg(long)]
    pub message: Option<String>,
    /// Also POST each alert to this URL
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Create it switched off
    #[arg(long)]
    pub disabled: bool,
}

// `alerts update`; no doc comment, as for `NewAlertArgs`.
#[derive(Debug, Args)]
pub struct AlertChangesArgs {
    #[command(flatten)]
    pub ids: ScopedId,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub goal: Option<String>,
    #[arg(long)]
    pub subject: Option<String>,
    #[arg(long)]
    pub message: Option<String>,
    #[arg(long, conflicts_with = "clear_webhook_url")]
    pub webhook_url: Option<String>,
    #[arg(long)]
    pub clear_webhook_url: bool,
    #[arg(long, conflicts_with = "disabled")]
    pub enabled: bool,
    #[arg(long)]
    pub disabled: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GoalsArgs {
    #[command(subcommand)]
    pub command: Option<GoalsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum GoalsCommand {
    /// Tracked goals, most completed first
    List(WebsiteOnly),
    /// Goal display customizations
    Customizations {
        #[command(flatten)]
        website: WebsiteOnly,
        /// Only this goal
        #[arg(long)]
        goal: Option<String>,
    },
    /// The colour palette goals may use
    Colors(WebsiteOnly),
    /// Set a goal's display name, colour or description
    Customize {
        /// [WEBSITE_ID] GOAL
        #[arg(value_name = "IDS", num_args = 1..=2, required = true)]
        ids: Vec<String>,
        #[arg(long, conflicts_with = "clear_display_name")]
        display_name: Option<String>,
        /// A palette colour (see `goals colors`)
        #[arg(long, conflicts_with = "clear_color")]
        color: Option<String>,
        #[arg(long, conflicts_with = "clear_description")]
        description: Option<String>,
        #[arg(long)]
        clear_display_name: bool,
        #[arg(long)]
        clear_color: bool,
        #[arg(long)]
        clear_description: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    Stripe,
    Lemonsqueezy,
    Polar,
    Paddle,
    Shopify,
    Woocommerce,
}

#[derive(Debug, Subcommand)]
pub enum IntegrationsCommand {
    /// Which providers are connected, and how their revenue import is doing
    Status(WebsiteOnly),
    /// Import each connected provider's new payments now
    Sync(WebsiteOnly),
    /// Connect a payment provider
    Connect {
        #[arg(value_enum)]
        provider: Provider,
        #[command(flatten)]
        website: WebsiteOnly,
        /// Stripe restricted key (rk_...), Lemon Squeezy or Paddle API key, or Polar access token
        #[arg(long)]
        key: String,
        /// Lemon Squeezy store id
        #[arg(long)]
        store_id: Option<String>,
        /// Polar organization id
        #[arg(long)]
        org_id: Option<String>,
    },
    /// Disconnect a payment provider
    Disconnect {
        #[arg(value_enum)]
        provider: Provider,
        #[command(flatten)]
        website: WebsiteOnly,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// A connected provider's webhook: print the URL to add at the provider, then save the
    /// signing secret it shows, so payments arrive within seconds
    Webhook {
        #[arg(value_enum)]
        provider: Provider,
        #[command(flatten)]
        website: WebsiteOnly,
        /// The provider's signing secret (Stripe whsec_..., Paddle pdl_ntfset_...)
        #[arg(long)]
        secret: Option<String>,
        /// Forget the signing secret: deliveries are refused, polling goes on
        #[arg(long, conflicts_with = "secret")]
        remove: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// Invitations addressed to your account's email
    List,
    /// Accept an invitation and join the website's team
    Accept {
        #[arg(value_name = "INVITATION_ID")]
        invitation_id: String,
    },
}

/// `--period`, or `--from` with `--to`, and `--timezone`.
#[derive(Debug, Clone, Default, Args)]
pub struct RangeArgs {
    /// A named range, computed in --timezone or the local time zone
    #[arg(long, value_enum, conflicts_with_all = ["from", "to"])]
    pub period: Option<Period>,
    /// Start: YYYY-MM-DD, or an ISO timestamp with Z or an offset
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// End: YYYY-MM-DD, or an ISO timestamp with Z or an offset
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// IANA time zone for dates and buckets (default: the website's; periods use the local one)
    #[arg(long)]
    pub timezone: Option<String>,
}

/// The analytics filters, sent as `filter_<name>`.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// e.g. US,Canada or is_not:France
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    /// desktop, mobile or tablet
    #[arg(long)]
    pub device: Option<String>,
    #[arg(long)]
    pub browser: Option<String>,
    #[arg(long)]
    pub os: Option<String>,
    #[arg(long)]
    pub referrer: Option<String>,
    /// e.g. /pricing or contains:/docs
    #[arg(long)]
    pub page: Option<String>,
    #[arg(long)]
    pub entry_page: Option<String>,
    #[arg(long)]
    pub hostname: Option<String>,
    #[arg(long)]
    pub goal: Option<String>,
    #[arg(long)]
    pub utm_source: Option<String>,
    #[arg(long)]
    pub utm_medium: Option<String>,
    #[arg(long)]
    pub utm_campaign: Option<String>,
    #[arg(long)]
    pub utm_term: Option<String>,
    #[arg(long)]
    pub utm_content: Option<String>,
    #[arg(long = "ref", value_name = "REF")]
    pub ref_param: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub via: Option<String>,
    /// Any filter as NAME=VALUE (sent as filter_NAME); repeatable
    #[arg(long = "filter", value_name = "NAME=VALUE")]
    pub extra: Vec<String>,
}

/// What every analytics report takes.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportArgs {
    /// The website; defaults to the site key's website or `config set-website`
    #[arg(long, visible_alias = "website-id", value_name = "WEBSITE_ID")]
    pub website: Option<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Comma-separated columns to return
    #[arg(long)]
    pub fields: Option<String>,
    /// Rows per page (breakdowns default to 50)
    #[arg(long)]
    pub limit: Option<u32>,
    #[arg(long)]
    pub offset: Option<u32>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Interval {
    Hour,
    Day,
    Week,
    Month,
}

#[derive(Debug, Subcommand)]
pub enum AnalyticsCommand {
    /// Visitors, sessions, bounce rate, revenue and conversion for a range
    Overview(ReportArgs),
    /// Metrics per hour, day, week or month
    Timeseries {
        #[command(flatten)]
        report: ReportArgs,
        #[arg(long, value_enum, default_value_t = Interval::Day)]
        interval: Interval,
    },
    /// Visitors active in the last minutes
    Realtime {
        #[arg(long, visible_alias = "website-id", value_name = "WEBSITE_ID")]
        website: Option<String>,
    },
    /// Top pages
    Pages(ReportArgs),
    /// Top referrers
    Referrers(ReportArgs),
    /// UTM campaigns and ref/source/via
    Campaigns(ReportArgs),
    /// Custom goal completions
    Goals(ReportArgs),
    Countries(ReportArgs),
    Regions(ReportArgs),
    Cities(ReportArgs),
    Devices(ReportArgs),
    Browsers(ReportArgs),
    OperatingSystems(ReportArgs),
    Hostnames(ReportArgs),
}

#[derive(Debug, Subcommand)]
pub enum VisitorsCommand {
    /// Visitors seen in a range, most recent first
    List(VisitorListArgs),
    /// One visitor's profile and activity
    Get {
        #[arg(value_name = "VISITOR_ID")]
        visitor_id: String,
        #[arg(long, visible_alias = "website-id", value_name = "WEBSITE_ID")]
        website: Option<String>,
    },
}

#[derive(Debug, Clone, Default, Args)]
pub struct VisitorListArgs {
    #[arg(long, visible_alias = "website-id", value_name = "WEBSITE_ID")]
    pub website: Option<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Rows per page (1-250)
    #[arg(long)]
    pub limit: Option<u32>,
    #[arg(long)]
    pub offset: Option<u32>,
    /// Visited this exact path (comma list)
    #[arg(long)]
    pub visited_page: Option<String>,
    #[arg(long)]
    pub visited_page_contains: Option<String>,
    #[arg(long)]
    pub completed_goal: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub browser: Option<String>,
    #[arg(long)]
    pub os: Option<String>,
    #[arg(long)]
    pub device: Option<String>,
    #[arg(long)]
    pub referrer: Option<String>,
    #[arg(long)]
    pub hostname: Option<String>,
    #[arg(long)]
    pub utm_source: Option<String>,
    #[arg(long)]
    pub utm_medium: Option<String>,
    #[arg(long)]
    pub utm_campaign: Option<String>,
    #[arg(long)]
    pub utm_term: Option<String>,
    #[arg(long)]
    pub utm_content: Option<String>,
    #[arg(long = "ref", value_name = "REF")]
    pub ref_param: Option<String>,
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub via: Option<String>,
    /// Only paying (true) or non-paying (false) visitors
    #[arg(long, value_name = "BOOL")]
    pub is_customer: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_bare_group_means_list() {
        let cli = Cli::try_parse_from(["datafast", "funnels"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            cli.command,
            Command::Funnels(FunnelsArgs { command: None })
        ));
    }

    #[test]
    fn from_needs_to_and_period_excludes_them() {
        assert!(
            Cli::try_parse_from(["datafast", "analytics", "overview", "--from", "2026-01-01"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "datafast",
                "analytics",
                "pages",
                "--period",
                "today",
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-02"
            ])
            .is_err()
        );
    }
}
