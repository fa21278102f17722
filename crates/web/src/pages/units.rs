//! The unit tree and the form to add a unit.

use super::{
    Chrome, FieldMsg, OkQuery, PageForm, field_msgs, notice, render, render_status, see_other,
};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::usecases::{self, NewUnitInput};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::collections::HashMap;
use tilsyn_domain::org::{OrgTree, UnitKind};
use tilsyn_domain::policy::Action;

pub struct UnitRow {
    pub name: String,
    pub kind: String,
    pub depth: usize,
    pub people: usize,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    c: Chrome,
    notice: Option<String>,
    rows: Vec<UnitRow>,
    errors: Vec<FieldMsg>,
    parents: Vec<Opt>,
    kinds: Vec<Opt>,
    name: String,
}

impl UnitsPage {
    fn err(&self, field: &str) -> Option<&str> {
        super::err_for(&self.errors, field)
    }
}

/// Units the person may put a new unit under, indented by depth.
pub fn unit_options(
    ctx: &Ctx,
    tree: &OrgTree,
    selected: &str,
    allowed: impl Fn(&Ctx, &tilsyn_domain::org::UnitPath) -> bool,
) -> Vec<Opt> {
    tree.rows()
        .into_iter()
        .filter(|r| tree.path(r.unit.id).is_some_and(|p| allowed(ctx, &p)))
        .map(|r| Opt {
            value: r.unit.id.to_string(),
            label: format!("{}{}", "– ".repeat(r.depth), r.unit.name),
            selected: r.unit.id.to_string() == selected,
        })
        .collect()
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    input: &NewUnitInput,
    errors: Vec<FieldMsg>,
    ok: Option<&str>,
) -> AppResult<UnitsPage> {
    let (tree, _, grants) = usecases::organisation(&state.store, ctx).await?;
    let tr = ctx.tr();
    let mut people: HashMap<_, std::collections::HashSet<_>> = HashMap::new();
    for g in &grants {
        people.entry(g.unit_id).or_default().insert(g.user_id);
    }
    let rows = tree
        .rows()
        .into_iter()
        .map(|r| UnitRow {
            name: r.unit.name.clone(),
            kind: tr.t(r.unit.kind.label_key()),
            depth: r.depth.min(5),
            people: people.get(&r.unit.id).map_or(0, |s| s.len()),
        })
        .collect();
    let parents = unit_options(ctx, &tree, &input.parent_id, |c, p| {
        c.can(&Action::CreateUnit { parent: p })
    });
    let kinds = UnitKind::ALL
        .into_iter()
        .filter(|k| *k != UnitKind::Municipality)
        .map(|k| Opt {
            value: k.code().into(),
            label: tr.t(k.label_key()),
            selected: k.code() == input.kind,
        })
        .collect();
    Ok(UnitsPage {
        c: Chrome::new(ctx, "units-title"),
        notice: notice(tr, ok),
        rows,
        errors,
        parents,
        kinds,
        name: input.name.clone(),
    })
}

pub async fn list_units(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(q): Query<OkQuery>,
) -> AppResult<Response> {
    Ok(render(
        &page(
            &state,
            &ctx,
            &NewUnitInput::default(),
            vec![],
            q.ok.as_deref(),
        )
        .await?,
    ))
}

pub async fn create_unit(
    ctx: Ctx,
    State(state): State<AppState>,
    PageForm(input): PageForm<NewUnitInput>,
) -> AppResult<Response> {
    match usecases::create_unit(&state.store, &ctx, &input).await {
        Ok(_) => Ok(see_other("/admin/units", "units-created")),
        Err(AppError::Invalid(p)) => {
            let errors = field_msgs(ctx.tr(), &p);
            let page = page(&state, &ctx, &input, errors, None).await?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e),
    }
}
