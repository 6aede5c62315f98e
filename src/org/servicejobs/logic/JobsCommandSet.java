package org.servicejobs.logic;

import org.pipservices3.commons.commands.Command;
import org.pipservices3.commons.commands.CommandSet;
import org.pipservices3.commons.run.IExecutable;
import org.pipservices3.commons.convert.TypeCode;
import org.pipservices3.commons.data.AnyValueMap;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.run.Parameters;
import org.pipservices3.commons.validate.FilterParamsSchema;
import org.pipservices3.commons.validate.ObjectSchema;
import org.pipservices3.commons.validate.PagingParamsSchema;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.data.version1.NewJobV1Schema;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The commands of the jobs service, one per route of the HTTP protocol v1, each with the schema
 * of its parameters.
 */
public class JobsCommandSet extends CommandSet {
    private final IJobsController _controller;

    public JobsCommandSet(IJobsController controller) {
        _controller = controller;

        command("add_job", schema().withRequiredProperty("new_job", new NewJobV1Schema()),
                (correlationId, args) -> _controller.addJob(correlationId, newJob(correlationId, args)));
        command("add_uniq_job", schema().withRequiredProperty("new_job", new NewJobV1Schema()),
                (correlationId, args) -> _controller.addUniqJob(correlationId, newJob(correlationId, args)));
        command("get_jobs", schema()
                        .withOptionalProperty("filter", new FilterParamsSchema())
                        .withOptionalProperty("paging", new PagingParamsSchema()),
                (correlationId, args) -> _controller.getJobs(correlationId,
                        FilterParams.fromValue(args.get("filter")), PagingParams.fromValue(args.get("paging"))));
        command("get_job_by_id", schema().withRequiredProperty("job_id", TypeCode.String),
                (correlationId, args) -> _controller.getJobById(correlationId, args.getAsString("job_id")));
        command("start_job_by_id", schema()
                        .withRequiredProperty("job_id", TypeCode.String)
                        .withRequiredProperty("timeout", null),
                (correlationId, args) -> _controller.startJobById(correlationId, args.getAsString("job_id"),
                        integer(correlationId, args, "timeout")));
        command("start_job_by_type", schema()
                        .withRequiredProperty("type", TypeCode.String)
                        .withRequiredProperty("timeout", null)
                        .withOptionalProperty("wait", null),
                (correlationId, args) -> _controller.startJobByType(correlationId, args.getAsString("type"),
                        integer(correlationId, args, "timeout"),
                        args.get("wait") == null ? 0 : integer(correlationId, args, "wait")));
        command("extend_job", schema()
                        .withRequiredProperty("job_id", TypeCode.String)
                        .withRequiredProperty("timeout", null)
                        .withOptionalProperty("lock_token", TypeCode.String),
                (correlationId, args) -> _controller.extendJob(correlationId, args.getAsString("job_id"),
                        integer(correlationId, args, "timeout"), args.getAsNullableString("lock_token")));
        command("abort_job", schema()
                        .withRequiredProperty("job_id", TypeCode.String)
                        .withOptionalProperty("lock_token", TypeCode.String),
                (correlationId, args) -> _controller.abortJob(correlationId, args.getAsString("job_id"),
                        args.getAsNullableString("lock_token")));
        command("complete_job", schema()
                        .withRequiredProperty("job_id", TypeCode.String)
                        .withOptionalProperty("lock_token", TypeCode.String),
                (correlationId, args) -> _controller.completeJob(correlationId, args.getAsString("job_id"),
                        args.getAsNullableString("lock_token")));
        command("delete_job_by_id", schema().withRequiredProperty("job_id", TypeCode.String),
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

    private static NewJobV1 newJob(String correlationId, Parameters args) throws BadRequestException {
        AnyValueMap value = args.getAsMap("new_job");
        Long ttl = value.get("ttl") == null ? null : integer(correlationId, value, "ttl");
        return new NewJobV1(value.getAsNullableString("type"), value.getAsNullableString("ref_id"), ttl,
                value.get("params"));
    }

    /**
     * A whole number. The schemas leave timeout untyped (Pip's Long lets 1.5 through and stops a
     * string with a generic error): this check gives both the same specific code.
     */
    private static long integer(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Object value = args.get(name);
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof BigInteger && ((BigInteger) value).bitLength() < 64
                || (value instanceof Double || value instanceof Float || value instanceof BigDecimal)
                && isWhole(((Number) value).doubleValue());
        if (!whole)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_" + name.toUpperCase(),
                    name + " must be a whole number of milliseconds").withDetails(name, value);
        return ((Number) value).longValue();
    }

    private static boolean isWhole(double value) {
        return value == Math.rint(value) && Math.abs(value) < 9.0e15;
    }
}
