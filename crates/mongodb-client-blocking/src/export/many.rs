//! Several instances at once: [`Client::instance_ids`] and [`Client::export_backups`].

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use mongodb_errors::Error;
use mongodb_models::{DescribeDBInstancesRequest, TagInfo};

use super::event::ExportEvent;
use super::job::{ExportJob, ExportOptions, InstanceFilter};
use super::report::InstanceExport;
use super::single::{run, Partial};
use crate::Client;

impl Client {
    /// The ids of the instances the credentials see in the client's region that match
    /// `filter` (`DescribeDBInstances` with `ProjectIds` and `Tags`, every page), in the order
    /// the service lists them.
    pub fn instance_ids(&self, filter: &InstanceFilter) -> Result<Vec<String>, Error> {
        let mut req = DescribeDBInstancesRequest::new();
        if !filter.project_ids.is_empty() {
            req = req.with_project_ids(filter.project_ids.clone());
        }
        if !filter.tags.is_empty() {
            req = req.with_tags(
                filter
                    .tags
                    .iter()
                    .map(|(k, v)| TagInfo::new(k.as_str(), v.as_str()))
                    .collect(),
            );
        }
        let mut ids: Vec<String> = Vec::new();
        for detail in self.describe_db_instances_iter(req) {
            if let Some(id) = detail?.instance_id.filter(|id| !id.is_empty()) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        Ok(ids)
    }

    /// Runs [`export_backup`](Client::export_backup) for every job, up to
    /// [`ExportOptions::workers`] at once on threads of their own, all through this client
    /// (so its rate limiter keeps every action under the service's limit however many run).
    ///
    /// One export failing does not stop the others. `on_event` hears every export's steps
    /// with its instance id; it is called from the worker threads.
    ///
    /// Returns one [`InstanceExport`] per job, in the order of `jobs`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] (before anything runs) when two jobs share a directory: each
    /// export needs its own, with its own manifest.
    ///
    /// ```no_run
    /// use mongodb_client_blocking::models::BackupMethod;
    /// use mongodb_client_blocking::{BackupChoice, Client, ExportJob, ExportOptions, InstanceFilter};
    ///
    /// # fn main() -> Result<(), mongodb_client_blocking::Error> {
    /// let client = Client::from_env()?;
    /// let jobs: Vec<ExportJob> = client
    ///     .instance_ids(&InstanceFilter::new().tag("env", "prod"))?
    ///     .into_iter()
    ///     .map(|id| {
    ///         let dir = format!("backups/{id}");
    ///         ExportJob::new(id, BackupChoice::new_backup(BackupMethod::Logical), dir)
    ///     })
    ///     .collect();
    /// for done in client.export_backups(&jobs, &ExportOptions::new().workers(4), |_, _| {})? {
    ///     match &done.result {
    ///         Ok(r) => println!("{}: {} files in {}", done.instance_id, r.files.len(), r.manifest.display()),
    ///         Err(e) => eprintln!("{}: {e}", done.instance_id),
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn export_backups(
        &self,
        jobs: &[ExportJob],
        opts: &ExportOptions,
        on_event: impl Fn(&str, &ExportEvent<'_>) + Sync,
    ) -> Result<Vec<InstanceExport>, Error> {
        check_distinct_dirs(jobs)?;
        let next = AtomicUsize::new(0);
        let slots: Vec<Mutex<Option<InstanceExport>>> =
            jobs.iter().map(|_| Mutex::new(None)).collect();
        let workers = opts.workers.clamp(1, jobs.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let done = export_one(self, job, opts, &on_event);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(done);
                });
            }
        });
        Ok(slots
            .into_iter()
            .zip(jobs)
            .map(|(slot, job)| {
                slot.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_else(|| unreachable_result(job))
            })
            .collect())
    }
}

fn export_one(
    client: &Client,
    job: &ExportJob,
    opts: &ExportOptions,
    on_event: &(impl Fn(&str, &ExportEvent<'_>) + Sync),
) -> InstanceExport {
    let clock = Instant::now();
    let mut partial = Partial::default();
    let instance = job.instance_id.as_str();
    let result = run(
        client,
        job,
        opts,
        &mut |e| on_event(instance, e),
        &mut partial,
    );
    InstanceExport {
        instance_id: job.instance_id.clone(),
        dir: job.dir.clone(),
        backup_name: partial.backup_name,
        files: partial.files,
        bytes: partial.bytes,
        elapsed: clock.elapsed(),
        result,
    }
}

/// Every slot is filled once the scope ends (a worker that panicked takes the scope down
/// with it); this stands for a job nobody ran, should that ever change.
fn unreachable_result(job: &ExportJob) -> InstanceExport {
    InstanceExport {
        instance_id: job.instance_id.clone(),
        dir: job.dir.clone(),
        backup_name: None,
        files: 0,
        bytes: 0,
        elapsed: Default::default(),
        result: Err(Error::InvalidInput {
            parameter: None,
            message: format!("the export of {} did not run", job.instance_id),
        }),
    }
}

fn check_distinct_dirs(jobs: &[ExportJob]) -> Result<(), Error> {
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for job in jobs {
        let dir = normal(&job.dir);
        if let Some((_, other)) = seen.iter().find(|(d, _)| *d == dir) {
            return Err(Error::InvalidInput {
                parameter: Some("dir".into()),
                message: format!(
                    "the exports of {other} and {} both go to {}; give each export its own directory",
                    job.instance_id,
                    job.dir.display()
                ),
            });
        }
        seen.push((dir, &job.instance_id));
    }
    Ok(())
}

/// `dir` without `.` components or a trailing separator, so `a/./b/` and `a/b` compare equal.
fn normal(dir: &Path) -> PathBuf {
    dir.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BackupChoice;
    use mongodb_models::BackupMethod;

    #[test]
    fn two_jobs_may_not_share_a_directory() {
        let job = |id: &str, dir: &str| {
            ExportJob::new(id, BackupChoice::new_backup(BackupMethod::Logical), dir)
        };
        assert!(check_distinct_dirs(&[job("a", "out/a"), job("b", "out/b")]).is_ok());
        let err = check_distinct_dirs(&[job("a", "out/x/"), job("b", "./out/x")]).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("a and b") && text.contains("own directory"),
            "{text}"
        );
    }
}
