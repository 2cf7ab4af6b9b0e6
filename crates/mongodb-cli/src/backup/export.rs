//! `backup run` and `backup download`: jobs for the client's export workflow, run with a
//! progress view, then the results on stdout.
//!
//! Layout: with one `--instance-id` (and always for `download`) the files and `manifest.json`
//! go straight into `--out`; with several `--instance-id`s or `--all`, each instance gets
//! `--out/<instance id>/` with its own manifest (so `--all` never mixes layouts, however many
//! instances it finds).
//!
//! Exit codes: with one instance, its failure's code (nothing on stdout); with several, the
//! summary is printed and the code is 0 when every export succeeded, else the highest code
//! among the failures.

use std::path::PathBuf;

use clap::ArgMatches;
use mongodb_client_blocking::{
    BackupChoice, DownloadOptions, ExportJob, ExportOptions, InstanceExport, InstanceFilter,
};

use super::flags;
use super::summary;
use super::view::ExportView;
use crate::exit::Failure;
use crate::output::{print_stdout, Format};
use crate::progress::Reporter;
use crate::session::Session;

/// The tool named in manifests.
const TOOL: &str = concat!("tcmongo ", env!("CARGO_PKG_VERSION"));

/// Which instances to export.
#[derive(Debug)]
enum Instances {
    /// These, by id.
    Listed(Vec<String>),
    /// Every instance the credentials see, narrowed by the filter.
    All(InstanceFilter),
}

/// What `run` or `download` was asked to do, read from the flags before connecting.
#[derive(Debug)]
pub struct Plan {
    instances: Instances,
    out: PathBuf,
    backup: BackupChoice,
    replica_sets: Vec<String>,
    download: DownloadOptions<'static>,
    jobs: usize,
}

impl Plan {
    /// `backup run`: back up each instance and export the backup.
    pub fn run(m: &ArgMatches) -> Result<Plan, Failure> {
        let filter = flags::instance_filter(m)?;
        let instances = if m.get_flag("all") {
            Instances::All(filter)
        } else {
            let mut ids: Vec<String> = Vec::new();
            for id in flags::strings(m, "instance-id") {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Instances::Listed(ids)
        };
        let replica_sets = flags::strings(m, "replica-set");
        let several = match &instances {
            Instances::All(_) => true,
            Instances::Listed(ids) => ids.len() > 1,
        };
        if several && !replica_sets.is_empty() {
            return Err(Failure::usage(
                "--replica-set names the sets of one instance; use it with a single --instance-id",
            ));
        }
        let mut backup = BackupChoice::new_backup(flags::method_of(m));
        if let (BackupChoice::New { remark, .. }, Some(r)) =
            (&mut backup, m.get_one::<String>("remark"))
        {
            *remark = Some(r.clone());
        }
        Ok(Plan {
            instances,
            out: flags::out_dir(m)?,
            backup,
            replica_sets,
            download: flags::download_options(m)?,
            jobs: flags::jobs(m),
        })
    }

    /// `backup download`: export an existing backup of one instance.
    pub fn download(m: &ArgMatches) -> Result<Plan, Failure> {
        Ok(Plan {
            instances: Instances::Listed(vec![flags::string(m, "instance-id")?]),
            out: flags::out_dir(m)?,
            backup: BackupChoice::existing(flags::string(m, "backup-name")?),
            replica_sets: flags::strings(m, "replica-set"),
            download: flags::download_options(m)?,
            jobs: 1,
        })
    }

    /// Runs the exports, prints the results, and fails with the worst failure's exit code.
    pub fn execute(self, s: &Session, format: Format) -> Result<(), Failure> {
        let (ids, several) = match self.instances {
            Instances::Listed(ids) => {
                let several = ids.len() > 1;
                (ids, several)
            }
            Instances::All(filter) => (s.client.instance_ids(&filter)?, true),
        };
        if ids.is_empty() {
            s.reporter
                .line("no instance matches in this region; nothing was exported");
            return Ok(());
        }
        let jobs: Vec<ExportJob> = ids
            .iter()
            .map(|id| {
                let dir = if several {
                    self.out.join(id)
                } else {
                    self.out.clone()
                };
                ExportJob::new(id.as_str(), self.backup.clone(), dir)
                    .with_replica_sets(self.replica_sets.clone())
            })
            .collect();
        let opts = ExportOptions::new()
            .tool(TOOL)
            .wait(&s.wait_options())
            .download(&self.download)
            .workers(self.jobs);
        let view = ExportView::new(&s.reporter, jobs.len());
        let results = s
            .client
            .export_backups(&jobs, &opts, |instance, event| view.event(instance, event))?;
        view.finish();
        finish(&s.reporter, format, results)
    }
}

/// One export that failed is just its error (exit code by its kind, nothing on stdout);
/// otherwise the results are printed, and any failure is named on stderr and sets the
/// exit code.
fn finish(
    reporter: &Reporter,
    format: Format,
    mut results: Vec<InstanceExport>,
) -> Result<(), Failure> {
    if results.len() == 1 && !results[0].is_ok() {
        if let Err(e) = results.remove(0).result {
            return Err(e.into());
        }
    }
    print_stdout(&summary::render(&results, format))?;
    let failed: Vec<&InstanceExport> = results.iter().filter(|r| !r.is_ok()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    for r in &failed {
        if let Err(e) = &r.result {
            reporter.line(&format!("error: {}: {e}", r.instance_id));
        }
    }
    Err(Failure::Other {
        code: summary::exit_code(&results),
        message: format!(
            "{} of {} exports failed: {}",
            failed.len(),
            results.len(),
            failed
                .iter()
                .map(|r| r.instance_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}
