package org.servicejobs.logic;

import org.pipservices3.commons.commands.Command;
import org.pipservices3.commons.commands.CommandSet;
import org.pipservices3.commons.convert.TypeCode;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.run.IExecutable;
import org.pipservices3.commons.validate.FilterParamsSchema;
import org.pipservices3.commons.validate.ObjectSchema;
import org.pipservices3.commons.validate.PagingParamsSchema;
import org.servicejobs.data.version1.NewJobV1Schema;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.servicejobs.logic.JobsCommandArgs.completions;
import static org.servicejobs.logic.JobsCommandArgs.count;
import static org.servicejobs.logic.JobsCommandArgs.date;
import static org.servicejobs.logic.JobsCommandArgs.integer;
import static org.servicejobs.logic.JobsCommandArgs.newJob;
import static org.servicejobs.logic.JobsCommandArgs.newJobs;
import static org.servicejobs.logic.JobsCommandArgs.optionalLong;
import static org.servicejobs.logic.JobsCommandArgs.text;

/**
 * The commands of the jobs service, one per route of the HTTP protocol v1, each with the schema
 * of its parameters; the parameters are converted by {@link JobsCommandArgs}.
 */
public class JobsCommandSet extends CommandSet {
    private final IJobsController _controller;

    public JobsCommandSet(IJobsController controller) {
        _controller = controller;

        command("add_job", schema().withRequiredProperty("new_job", new NewJobV1Schema()),
                (correlationId, args) -> _controller.addJob(correlationId, newJob(correlationId, args, "new_job")));
        command("add_jobs", schema().withRequiredProperty("new_jobs", null),
                (correlationId, args) -> _controller.addJobs(correlationId, newJobs(correlationId, args, "new_jobs")));
        command("add_uniq_job", schema().withRequiredProperty("new_job", new NewJobV1Schema()),
                (correlationId, args) -> _controller.addUniqJob(correlationId, newJob(correlationId, args, "new_job")));
        command("get_jobs", schema()
                        .withOptionalProperty("filter", new FilterParamsSchema())
                        .withOptionalProperty("paging", new PagingParamsSchema()),
                (correlationId, args) -> _controller.getJobs(correlationId,
                        FilterParams.fromValue(args.get("filter")), PagingParams.fromValue(args.get("paging"))));
        command("get_job_by_id", withJobId(),
                (correlationId, args) -> _controller.getJobById(correlationId, args.getAsString("job_id")));
        command("start_job_by_id", withJobId().withRequiredProperty("timeout", null),
                (correlationId, args) -> _controller.startJobById(correlationId, args.getAsString("job_id"),
                        integer(correlationId, args, "timeout")));
        command("start_job_by_type", schema()
                        .withRequiredProperty("type", TypeCode.String)
                        .withRequiredProperty("timeout", null)
                        .withOptionalProperty("wait", null),
                (correlationId, args) -> _controller.startJobByType(correlationId, args.getAsString("type"),
                        integer(correlationId, args, "timeout"),
                        args.get("wait") == null ? 0 : integer(correlationId, args, "wait")));
        command("start_jobs_by_type", schema()
                        .withRequiredProperty("type", TypeCode.String)
                        .withRequiredProperty("timeout", null)
                        .withRequiredProperty("count", null)
                        .withOptionalProperty("wait", null),
                (correlationId, args) -> _controller.startJobsByType(correlationId, args.getAsString("type"),
                        integer(correlationId, args, "timeout"), count(correlationId, args),
                        args.get("wait") == null ? 0 : integer(correlationId, args, "wait")));
        command("extend_job", withLockToken()
                        .withRequiredProperty("timeout", null)
                        .withOptionalProperty("progress", null),
                (correlationId, args) -> _controller.extendJob(correlationId, args.getAsString("job_id"),
                        integer(correlationId, args, "timeout"), text(correlationId, args, "lock_token"),
                        args.get("progress")));
        command("abort_job", withLockToken()
                        .withOptionalProperty("error", null)
                        .withOptionalProperty("delay", null),
                (correlationId, args) -> _controller.abortJob(correlationId, args.getAsString("job_id"),
                        text(correlationId, args, "lock_token"), text(correlationId, args, "error"),
                        optionalLong(correlationId, args, "delay")));
        command("complete_job", withLockToken().withOptionalProperty("result", null),
                (correlationId, args) -> _controller.completeJob(correlationId, args.getAsString("job_id"),
                        text(correlationId, args, "lock_token"), args.get("result")));
        command("complete_jobs", schema().withRequiredProperty("jobs", null),
                (correlationId, args) -> _controller.completeJobs(correlationId, completions(correlationId, args, "jobs")));
        command("fail_job", withLockToken().withOptionalProperty("error", null),
                (correlationId, args) -> _controller.failJob(correlationId, args.getAsString("job_id"),
                        text(correlationId, args, "lock_token"), text(correlationId, args, "error")));
        command("cancel_job", withJobId(),
                (correlationId, args) -> _controller.cancelJob(correlationId, args.getAsString("job_id")));
        command("retry_job", withJobId(),
                (correlationId, args) -> _controller.retryJob(correlationId, args.getAsString("job_id")));
        command("reschedule_job", withJobId()
                        .withOptionalProperty("run_at", null)
                        .withOptionalProperty("delay", null),
                (correlationId, args) -> _controller.rescheduleJob(correlationId, args.getAsString("job_id"),
                        date(correlationId, args, "run_at"), optionalLong(correlationId, args, "delay")));
        command("get_job_stats", schema(), (correlationId, args) -> _controller.getJobStats(correlationId));
        command("pause_jobs", schema().withRequiredProperty("type", TypeCode.String),
                (correlationId, args) -> paused(args.getAsString("type"),
                        _controller.setPaused(correlationId, args.getAsString("type"), true)));
        command("resume_jobs", schema().withRequiredProperty("type", TypeCode.String),
                (correlationId, args) -> paused(args.getAsString("type"),
                        _controller.setPaused(correlationId, args.getAsString("type"), false)));
        command("delete_job_by_id", withJobId(),
                (correlationId, args) -> _controller.deleteJobById(correlationId, args.getAsString("job_id")));
        command("delete_jobs", schema(),
                (correlationId, args) -> {
                    _controller.deleteJobs(correlationId);
                    return null;
                });
    }

    private void command(String name, ObjectSchema schema, IExecutable action) {
        addCommand(new Command(name, schema, action));
    }

    private static ObjectSchema schema() {
        return new ObjectSchema().allowUndefined(true);
    }

    private static ObjectSchema withJobId() {
        return schema().withRequiredProperty("job_id", TypeCode.String);
    }

    private static ObjectSchema withLockToken() {
        return withJobId().withOptionalProperty("lock_token", TypeCode.String);
    }

    /** The answer of pause_jobs and resume_jobs. */
    private static Map<String, Object> paused(String type, boolean paused) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("type", type);
        answer.put("paused", paused);
        return answer;
    }
}
