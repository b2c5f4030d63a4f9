//! `6` Governance: contracts through the three-step dance (violations first,
//! then by owning team: step, consumers still to migrate, age, stall, a step
//! held at the gate), and accounts x components against the standard stack
//! (version, how far behind and since when, declared overrides), by owning
//! team. Enter opens a contract (every step with its deployment) or an account.

use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::governance_rows::{component_fields, contract_fields, contract_key, contract_state};
use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::list_filter::Field;
use crate::app::list_sort::ColumnSort;
use crate::app::listing::{ListKey, Listing};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::app::theme::Theme;
use crate::metrics::governance::{ContractState, Governance};
use crate::ui::screens::governance_detail;
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::ui::widgets::{prompt, scroll};
use crate::util::format;

const KEYS: &[Binding] = &[
    key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the contract or account",
    )
    .hint("open"),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter: team: status: (violation held stalled drifted…) or text",
    )
    .hint("filter"),
    key(
        KeyCode::Char('o'),
        "o O",
        Action::SortNext,
        "sort the contracts by the next column / reverse",
    )
    .hint("sort"),
    key(KeyCode::Char('O'), "", Action::SortReverse, ""),
];

/// Marks a palette target that is an account, not a contract: a unit
/// separator, which no id holds (ids are cleaned of control characters).
const ACCOUNT: &str = "\u{1f}account\u{1f}";

/// What `/` can name on Governance.
const FILTER_KEYS: &[Field] = &[Field::Team, Field::Status];

/// The contract columns `o` sorts by, as the title names them. The accounts
/// table stays grouped by account (its rows are an account's components).
const SORT_NAMES: [&str; 5] = ["state", "contract", "team", "step", "age"];

/// One row of the screen: a contract, or one component of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Contract(usize),
    /// Account, component (the account's first component shows its name).
    Component(usize, usize),
}

/// `6` Governance's row model: contracts, then account components, by index
/// into `views.governance`.
#[derive(Debug)]
pub struct GovernanceScreen {
    contracts: Vec<usize>,
    components: Vec<(usize, usize)>,
    /// How many contracts and components there are without the filter.
    total: (usize, usize),
    /// What each row shows (a contract's id, an account's component), so
    /// that the cursor stays on it.
    keys: Vec<String>,
    list: Listing,
}

impl Default for GovernanceScreen {
    fn default() -> Self {
        Self {
            contracts: Vec::new(),
            components: Vec::new(),
            total: (0, 0),
            keys: Vec::new(),
            list: Listing::new(FILTER_KEYS, &SORT_NAMES),
        }
    }
}

impl GovernanceScreen {
    fn row(&self, n: usize) -> Option<Row> {
        match self.contracts.get(n) {
            Some(&c) => Some(Row::Contract(c)),
            None => self
                .components
                .get(n - self.contracts.len())
                .map(|&(a, c)| Row::Component(a, c)),
        }
    }
}

/// The window's start: contracts finished before it are not shown.
fn window_start(ctx: &Ctx) -> crate::model::Time {
    let days = crate::store::WINDOW_DAYS[ctx.window];
    ctx.snapshot.views.now - chrono::TimeDelta::days(days)
}

impl Screen for GovernanceScreen {
    fn name(&self) -> &'static str {
        "Governance"
    }

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.rebuild(ctx, cursor);
    }

    fn listing(&self) -> Option<&Listing> {
        Some(&self.list)
    }

    fn listing_mut(&mut self) -> Option<&mut Listing> {
        Some(&mut self.list)
    }

    fn targets(&self, ctx: &Ctx) -> Vec<(&'static str, String, String)> {
        let g = &ctx.snapshot.views.governance;
        let contracts = g.contracts.iter().map(|c| {
            let label = format!("{} {}", c.id, c.team);
            ("contract", label, c.id.to_string())
        });
        let accounts = g.accounts.iter().map(|a| {
            let label = format!("{} {}", a.account, a.team);
            ("account", label, format!("{ACCOUNT}{}", a.account))
        });
        contracts.chain(accounts).collect()
    }

    /// A contract's id, or [`ACCOUNT`] and an account's.
    fn open_id(&mut self, id: &str, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        let g = &ctx.snapshot.views.governance;
        let row = match id.strip_prefix(ACCOUNT) {
            Some(account) => {
                let n = self
                    .components
                    .iter()
                    .position(|&(a, _)| g.accounts.get(a).is_some_and(|x| &*x.account == account));
                if let Some(n) = n {
                    cursor.selected = self.contracts.len() + n;
                }
                return Reply::Open(Box::new(governance_detail::account(account.into())));
            }
            None => self
                .contracts
                .iter()
                .position(|&c| g.contracts.get(c).is_some_and(|x| &*x.id == id)),
        };
        if let Some(n) = row {
            cursor.selected = n;
        }
        Reply::Open(Box::new(governance_detail::contract(id.into())))
    }

    fn selected_id(&self, ctx: &Ctx, cursor: &Cursor) -> Option<String> {
        let g = &ctx.snapshot.views.governance;
        match self.row(cursor.selected)? {
            Row::Contract(c) => Some(g.contracts.get(c)?.id.to_string()),
            Row::Component(a, _) => Some(g.accounts.get(a)?.account.to_string()),
        }
    }

    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        match self.list.key(action) {
            ListKey::Pass => {}
            ListKey::Redraw => return Reply::Redraw,
            ListKey::Rebuild { refiltered } => {
                if refiltered {
                    cursor.selected = 0;
                }
                self.rebuild(ctx, cursor);
                return Reply::Redraw;
            }
        }
        let g = &ctx.snapshot.views.governance;
        match (action, self.row(cursor.selected)) {
            (Action::Open, Some(Row::Contract(c))) => match g.contracts.get(c) {
                Some(c) => Reply::Open(Box::new(governance_detail::contract(c.id.clone()))),
                None => Reply::Nothing,
            },
            (Action::Open, Some(Row::Component(a, _))) => match g.accounts.get(a) {
                Some(a) => Reply::Open(Box::new(governance_detail::account(a.account.clone()))),
                None => Reply::Nothing,
            },
            _ => Reply::Pass,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        self.draw(frame, area, ctx, cursor);
        prompt::render_listing(&ctx.theme, frame, area, &self.list);
    }
}

impl GovernanceScreen {
    fn rebuild(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let anchor = self.keys.get(cursor.selected).cloned();
        let g = &ctx.snapshot.views.governance;
        let start = window_start(ctx);
        let q = self.list.query();
        let reported: Vec<usize> = (0..g.contracts.len())
            .filter(|&i| g.contracts[i].reported_from(start))
            .collect();
        self.contracts = reported
            .iter()
            .copied()
            .filter(|&i| q.is_empty() || q.matches(&contract_fields(g, &g.contracts[i])))
            .collect();
        // Violations first, then by team; within a team stalled first.
        self.contracts.sort_by_key(|&i| {
            let c = &g.contracts[i];
            (
                c.violation.is_none(),
                c.team.clone(),
                !c.stalled,
                c.id.clone(),
            )
        });
        self.list.sort.apply(&mut self.contracts, |&i, col| {
            contract_key(g, &g.contracts[i], col)
        });
        let mut accounts: Vec<usize> = (0..g.accounts.len()).collect();
        accounts.sort_by_key(|&i| (g.accounts[i].team.clone(), g.accounts[i].account.clone()));
        let all: Vec<(usize, usize)> = accounts
            .into_iter()
            .flat_map(|a| (0..g.accounts[a].components.len()).map(move |c| (a, c)))
            .collect();
        self.total = (reported.len(), all.len());
        self.components = all
            .into_iter()
            .filter(|&(a, c)| q.is_empty() || q.matches(&component_fields(&g.accounts[a], c)))
            .collect();
        // Each row by what it shows, so the cursor stays on it through a sort or new data.
        let contract_keys = self
            .contracts
            .iter()
            .map(|&c| g.contracts[c].id.to_string());
        let component_keys = self.components.iter().map(|&(a, c)| {
            let account = &g.accounts[a];
            let component = account.components.get(c).map_or("", |x| &*x.component);
            format!("{}\u{1f}{component}", account.account)
        });
        self.keys = contract_keys.chain(component_keys).collect();
        if let Some(row) = anchor.and_then(|k| self.keys.iter().position(|x| *x == k)) {
            cursor.selected = row;
        }
        cursor.set_rows(self.contracts.len() + self.components.len());
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        let g = &ctx.snapshot.views.governance;
        let th = &ctx.theme;
        if self.total == (0, 0) {
            let block = Block::bordered().title(Span::styled(" Governance ", th.title));
            frame.render_widget(
                Paragraph::new(
                    " No contract steps, standard releases or account baselines were read: \
                     contract, standard and baseline events (or git trailers and Control Tower) feed this screen.",
                )
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block),
                area,
            );
            return;
        }
        // Contracts take what they need, up to half the height.
        let want = self.contracts.len() as u16 + 3;
        let [top, bottom] =
            Layout::vertical([Constraint::Max(want.max(4)), Constraint::Fill(1)]).areas(area);
        let top = if top.height > area.height / 2 && bottom.height < 6 {
            Rect {
                height: area.height / 2,
                ..top
            }
        } else {
            top
        };
        let bottom = Rect {
            y: top.y + top.height,
            height: area.height - top.height,
            ..bottom
        };
        let n = self.contracts.len();
        let titled = self.list.title(n, self.total.0, "reversed");
        contracts(
            frame,
            top,
            ctx,
            (g, &titled, self.list.sort),
            &self.contracts,
            cursor.selected,
        );
        super::governance_accounts::table(
            frame,
            bottom,
            th,
            (
                g,
                &self.list.filter.title(self.components.len(), self.total.1),
            ),
            &self.components,
            cursor.selected.checked_sub(n),
        );
        if !self.list.query().is_empty() && n == 0 {
            super::overview::no_match(frame, top, th, "contract");
        }
        if !self.list.query().is_empty() && self.components.is_empty() {
            super::overview::no_match(frame, bottom, th, "account");
        }
    }
}

/// Contracts: id, team, step, consumers still to migrate, age, state.
const CONTRACT_COLUMNS: [Col; 6] = [
    Col::whole("STATE", KEEP),
    Col::name("CONTRACT", 12, KEEP),
    Col::name("TEAM", 6, 3),
    Col::whole("STEP", 4),
    Col::whole("AGE", 5),
    Col::text("WAITING ON", 10, 2),
];

fn contracts(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    (g, titled, sort): (&Governance, &str, ColumnSort),
    rows: &[usize],
    selected: usize,
) {
    let th = &ctx.theme;
    let violations = rows
        .iter()
        .filter(|&&i| g.contracts[i].violation.is_some())
        .count();
    let stalled = rows.iter().filter(|&&i| g.contracts[i].stalled).count();
    let block = Block::bordered().title(Span::styled(crate::ui::fit_title(&format!(
            " Contracts · {} · {violations} violation{} · {stalled} stalled · last {} days{titled} · Enter opens ",
            format::plural(rows.len(), "contract"),
            if violations == 1 { "" } else { "s" },
            crate::store::WINDOW_DAYS[ctx.window]
        ), area.width),
        th.title,
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = if selected < rows.len() {
        scroll::offset(selected, height)
    } else {
        0
    };
    let fit: Vec<FitRow> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .filter_map(|(n, &i)| {
            let c = g.contracts.get(i)?;
            Some(FitRow::marked(
                contract_cells(th, g, c),
                n == selected,
                th.selected,
            ))
        })
        .collect();
    let cols: Vec<Col> = CONTRACT_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| c.marked(sort.mark(i)))
        .collect();
    fitted_table::draw(frame, area, block, (&cols, th.header), fit);
}

/// A contract's state word: VIOLATION, HELD (a contract step at the gate),
/// stalled, done, or the step it is at.
fn contract_cells(th: &Theme, g: &Governance, c: &ContractState) -> Vec<Line<'static>> {
    let state = contract_state(g, c);
    let style = match state {
        "VIOLATION" => th.alert,
        "HELD" | "stalled" => th.warn,
        "done" => th.ok,
        _ => Style::new(),
    };
    let waiting: Vec<&str> = c.waiting().map(|s| &**s).collect();
    let waiting = if let Some(v) = &c.violation {
        v.clone()
    } else if waiting.is_empty() {
        "-".to_string()
    } else {
        waiting.join(", ")
    };
    vec![
        Line::from(Span::styled(state, style)),
        Line::from(c.id.to_string()),
        Line::from(c.team.to_string()),
        Line::from(format!("{}/3", c.step)),
        Line::from(Span::styled(
            format::duration(c.age),
            if c.stalled { th.warn } else { Style::new() },
        )),
        Line::from(waiting),
    ]
}

/// Whether any contract or account was read (the Overview's GOV column).
pub fn has_data(snapshot: &crate::store::Snapshot) -> bool {
    let g = &snapshot.views.governance;
    !g.contracts.is_empty() || !g.accounts.is_empty()
}

/// The Overview's GOV cell: violations / stalled contracts / drifted
/// accounts of the team in the window, `-` when it has none.
pub fn team_cell(
    th: &Theme,
    snapshot: &crate::store::Snapshot,
    window: usize,
    team: &str,
) -> Line<'static> {
    let g = snapshot
        .views
        .governance_teams
        .get(window)
        .and_then(|m| m.get(team));
    let Some(g) = g else {
        return Line::from(Span::styled("-", th.dim));
    };
    let style = if g.violations > 0 { th.alert } else { th.warn };
    Line::from(Span::styled(
        format!("{}/{}/{}", g.violations, g.stalled, g.drifted),
        style,
    ))
}

/// The team drill-down's governance lines: its contracts in the window
/// (violations first) and its accounts, each with what is wrong.
pub fn team_lines(ctx: &Ctx, team: &str) -> Vec<Line<'static>> {
    let th = &ctx.theme;
    let g = &ctx.snapshot.views.governance;
    let start = window_start(ctx);
    let mut contracts: Vec<&ContractState> =
        g.reported(start).filter(|c| &*c.team == team).collect();
    contracts.sort_by_key(|c| (c.violation.is_none(), !c.stalled, c.id.clone()));
    let mut lines: Vec<Line<'static>> = contracts
        .into_iter()
        .map(|c| {
            let cells = contract_cells(th, g, c);
            let mut spans = vec![Span::raw(" ")];
            let [state, id, _, step, age, waiting] = <[Line; 6]>::try_from(cells)
                .unwrap_or_else(|_| std::array::from_fn(|_| Line::from("")));
            spans.extend(state.spans);
            spans.push(Span::raw(format!(
                "  contract {}  step {}  age {}  ",
                line_text(&id),
                line_text(&step),
                line_text(&age)
            )));
            spans.push(Span::styled(line_text(&waiting), th.dim));
            Line::from(spans)
        })
        .collect();
    for a in g.accounts.iter().filter(|a| &*a.team == team) {
        let behind: Vec<String> = a
            .components
            .iter()
            .filter(|c| c.behind > 0)
            .map(|c| {
                let held = if c.override_reason.is_some() {
                    ", override"
                } else {
                    ""
                };
                format!(
                    "{} {} of {} ({} behind{held})",
                    c.component,
                    c.version.as_deref().unwrap_or("missing"),
                    c.latest.as_deref().unwrap_or("-"),
                    c.behind
                )
            })
            .collect();
        let (word, style) = if a.drifted > 0 {
            (format!("{} drifted", a.drifted), th.alert)
        } else {
            ("current".to_string(), th.ok)
        };
        lines.push(Line::from(vec![
            Span::raw(" "),
            Span::styled(word, style),
            Span::raw(format!("  account {}  ", a.account)),
            Span::styled(
                if behind.is_empty() {
                    "every component at the latest standard".to_string()
                } else {
                    behind.join("; ")
                },
                th.dim,
            ),
        ]));
    }
    lines
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}
