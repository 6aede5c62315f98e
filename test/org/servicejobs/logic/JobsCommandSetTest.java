package org.servicejobs.logic;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pipservices3.commons.commands.ICommand;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.pipservices3.commons.run.Parameters;
import org.pipservices3.commons.validate.ValidationException;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.servicejobs.logic.JobsControllerTest.CID;
import static org.servicejobs.logic.JobsControllerTest.assertAt;
import static org.servicejobs.logic.JobsControllerTest.assertError;

/**
 * The commands of {@link JobsCommandSet}, run end to end on a controller over a memory
 * persistence, with parameters shaped as the HTTP service passes them (maps, JSON numbers).
 */
class JobsCommandSetTest {
    private static final List<String> COMMANDS = List.of("add_job", "add_uniq_job", "get_jobs", "get_job_by_id",
            "start_job_by_id", "start_job_by_type", "extend_job", "abort_job", "complete_job", "delete_job_by_id",
            "delete_jobs", "fail_job", "cancel_job", "retry_job", "reschedule_job", "get_job_stats", "pause_jobs",
            "resume_jobs", "add_jobs", "start_jobs_by_type", "complete_jobs");

    private SettableClock clock;
    private JobsMemoryPersistence persistence;
    private JobsController controller;
    private TestService service;

    @BeforeEach
    void setUp() throws Exception {
        clock = new SettableClock(TestData.START);
        persistence = new JobsMemoryPersistence();
        service = TestService.on(persistence).clock(clock).open();
        controller = service.controller();
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
    }

    private Object execute(String command, Object... tuples) throws ApplicationException {
        ICommand found = controller.getCommandSet().findCommand(command);
        assertNotNull(found, () -> "no command " + command);
        return found.execute(CID, Parameters.fromTuples(tuples));
    }

    private static Map<String, Object> newJob(String type, String refId, Object ttl) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("type", type);
        job.put("ref_id", refId);
        if (ttl != null)
            job.put("ttl", ttl);
        job.put("params", TestData.params(refId));
        return job;
    }

    private static Map<String, Object> map(Object... tuples) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < tuples.length; i += 2)
            map.put((String) tuples[i], tuples[i + 1]);
        return map;
    }

    private JobV1 addJob(String type, String refId, Object ttl) throws ApplicationException {
        return (JobV1) execute("add_job", "new_job", newJob(type, refId, ttl));
    }

    private JobV1 start(String jobId) throws ApplicationException {
        return (JobV1) execute("start_job_by_id", "job_id", jobId, "timeout", 10_000);
    }

    private long count() throws ApplicationException {
        return controller.getJobs(CID, null, new PagingParams(0, 100, true)).getTotal();
    }

    /** Asserts the error and that no job changed. */
    private void assertRefusedUnchanged(Class<? extends ApplicationException> type, String code, int status,
                                        Executable call) throws ApplicationException {
        List<JobV1> before = controller.getJobs(CID, null, null).getData();
        assertError(type, code, status, call);
        assertEquals(before, controller.getJobs(CID, null, null).getData(), "a refused command changes nothing");
    }

    // ---------------------------------------------------------------- the set

    @Test
    void theSetHasExactlyTheCommandsOfTheProtocol() {
        Set<String> names = controller.getCommandSet().getCommands().stream().map(ICommand::getName)
                .collect(Collectors.toSet());
        assertEquals(Set.copyOf(COMMANDS), names);
        assertEquals(COMMANDS.size(), controller.getCommandSet().getCommands().size());
        for (String name : COMMANDS)
            assertNotNull(controller.getCommandSet().findCommand(name), name);
        assertSame(controller.getCommandSet(), controller.getCommandSet(), "the command set is cached");
    }

    // ---------------------------------------------------------------- end to end

    @Test
    void addJobTakesANewJobMap() throws Exception {
        clock.advanceMillis(7);
        JobV1 job = addJob("email", "user-1", 60_000);

        assertNotNull(job.getId());
        assertEquals("email", job.getType());
        assertEquals("user-1", job.getRefId());
        assertEquals(TestData.params("user-1"), job.getParams());
        assertAt(clock.instant(), job.getCreated());
        assertAt(clock.instant().plusMillis(60_000), job.getExecuteUntil());
        assertEquals(0, job.getRetries());
        assertEquals(job, controller.getJobById(CID, job.getId()));
    }

    @Test
    void addJobTakesTtlAsAnyJsonInteger() throws Exception {
        assertAt(clock.instant().plusMillis(1000), addJob("email", "int", 1000).getExecuteUntil());
        assertAt(clock.instant().plusMillis(1000), addJob("email", "long", 1000L).getExecuteUntil());
        assertAt(clock.instant().plusMillis(1000), addJob("email", "double", 1000.0).getExecuteUntil());
        assertNull(addJob("email", "zero", 0).getExecuteUntil());
        assertNull(addJob("email", "absent", null).getExecuteUntil());
        assertEquals(5, count());
    }

    @Test
    void addJobRejectsAFractionalOrNegativeTtl() throws Exception {
        assertRefusedUnchanged(BadRequestException.class, "INVALID_TTL", 400,
                () -> execute("add_job", "new_job", newJob("email", "user-1", 2.5)));
        assertRefusedUnchanged(BadRequestException.class, "INVALID_TTL", 400,
                () -> execute("add_uniq_job", "new_job", newJob("email", "user-1", 2.5)));
        assertRefusedUnchanged(BadRequestException.class, "INVALID_TTL", 400,
                () -> execute("add_job", "new_job", newJob("email", "user-1", -1)));
        assertEquals(0, count());
    }

    @Test
    void addJobRejectsBlankTypeAndRefId() throws Exception {
        assertRefusedUnchanged(BadRequestException.class, "MISSING_TYPE", 400,
                () -> execute("add_job", "new_job", newJob("", "user-1", 0)));
        assertRefusedUnchanged(BadRequestException.class, "MISSING_REF_ID", 400,
                () -> execute("add_job", "new_job", newJob("email", " ", 0)));
        assertRefusedUnchanged(BadRequestException.class, "TYPE_TOO_LONG", 400,
                () -> execute("add_job", "new_job", newJob("t".repeat(257), "user-1", 0)));
        assertRefusedUnchanged(BadRequestException.class, "REF_ID_TOO_LONG", 400,
                () -> execute("add_uniq_job", "new_job", newJob("email", "r".repeat(1025), 0)));
        assertEquals(0, count());
    }

    @Test
    void addUniqJobReturnsTheExistingJob() throws Exception {
        JobV1 first = (JobV1) execute("add_uniq_job", "new_job", newJob("email", "user-1", 0));
        JobV1 again = (JobV1) execute("add_uniq_job", "new_job", newJob("email", "user-1", 1000));
        assertEquals(first, again);
        JobV1 other = (JobV1) execute("add_uniq_job", "new_job", newJob("email", "user-2", 0));
        assertNotEquals(first.getId(), other.getId());
        assertEquals(2, count());
    }

    @Test
    void getJobsTakesFilterAndPagingMaps() throws Exception {
        addJob("x", "one", 0);
        clock.advanceMillis(1);
        addJob("y", "other", 0);
        clock.advanceMillis(1);
        addJob("x", "two", 0);
        clock.advanceMillis(1);
        addJob("x", "three", 0);

        @SuppressWarnings("unchecked")
        DataPage<JobV1> page = (DataPage<JobV1>) execute("get_jobs",
                "filter", map("type", "x"), "paging", map("skip", 0, "take", 1, "total", true));
        assertEquals(3L, page.getTotal());
        assertEquals(1, page.getData().size());
        assertEquals("one", page.getData().get(0).getRefId());

        @SuppressWarnings("unchecked")
        DataPage<JobV1> second = (DataPage<JobV1>) execute("get_jobs",
                "filter", map("type", "x"), "paging", map("skip", 1, "take", 1, "total", true));
        assertEquals(3L, second.getTotal());
        assertEquals("two", second.getData().get(0).getRefId());

        @SuppressWarnings("unchecked")
        DataPage<JobV1> everything = (DataPage<JobV1>) execute("get_jobs");
        assertEquals(4, everything.getData().size());
    }

    @Test
    void getJobByIdReturnsTheJobOrNull() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        assertEquals(job, execute("get_job_by_id", "job_id", job.getId()));
        assertNull(execute("get_job_by_id", "job_id", "no-such-job"));
    }

    @Test
    void startJobByTypeLeasesOrReturnsNull() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 leased = (JobV1) execute("start_job_by_type", "type", "email", "timeout", 30_000);
        assertEquals(job.getId(), leased.getId());
        assertAt(clock.instant().plusMillis(30_000), leased.getLockedUntil());
        assertEquals(1, leased.getRetries());
        assertNotNull(leased.getLockToken());
        assertNull(execute("start_job_by_type", "type", "email", "timeout", 30_000L));
    }

    @Test
    void startJobByIdLeasesAndExplainsARefusal() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 leased = (JobV1) execute("start_job_by_id", "job_id", job.getId(), "timeout", 30_000L);
        assertEquals(1, leased.getRetries());
        assertAt(clock.instant().plusMillis(30_000), leased.getLockedUntil());

        assertRefusedUnchanged(ConflictException.class, "JOB_LOCKED", 409,
                () -> execute("start_job_by_id", "job_id", job.getId(), "timeout", 30_000));
        assertRefusedUnchanged(NotFoundException.class, "JOB_NOT_FOUND", 404,
                () -> execute("start_job_by_id", "job_id", "no-such-job", "timeout", 30_000));
    }

    @Test
    void extendJobPassesTheLockToken() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 leased = start(job.getId());
        clock.advanceMillis(100);

        assertRefusedUnchanged(ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> execute("extend_job", "job_id", job.getId(), "timeout", 60_000, "lock_token", "stale"));
        JobV1 extended = (JobV1) execute("extend_job", "job_id", job.getId(), "timeout", 60_000,
                "lock_token", leased.getLockToken());
        assertAt(clock.instant().plusMillis(60_000), extended.getLockedUntil());
        JobV1 withoutToken = (JobV1) execute("extend_job", "job_id", job.getId(), "timeout", 1000);
        assertAt(clock.instant().plusMillis(1000), withoutToken.getLockedUntil());
    }

    @Test
    void abortJobPassesTheLockToken() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 leased = start(job.getId());

        assertRefusedUnchanged(ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> execute("abort_job", "job_id", job.getId(), "lock_token", "stale"));
        JobV1 aborted = (JobV1) execute("abort_job", "job_id", job.getId(), "lock_token", leased.getLockToken());
        assertNull(aborted.getStarted());
        assertNull(aborted.getLockedUntil());
        assertNull(aborted.getLockToken());
        assertEquals(1, aborted.getRetries());

        start(job.getId());
        assertNull(((JobV1) execute("abort_job", "job_id", job.getId())).getStarted(), "the token is optional");
        assertRefusedUnchanged(ConflictException.class, "JOB_NOT_STARTED", 409,
                () -> execute("abort_job", "job_id", job.getId()));
    }

    @Test
    void completeJobPassesTheLockToken() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 leased = start(job.getId());
        clock.advanceMillis(100);

        assertRefusedUnchanged(ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> execute("complete_job", "job_id", job.getId(), "lock_token", "stale"));
        JobV1 completed = (JobV1) execute("complete_job", "job_id", job.getId(), "lock_token", leased.getLockToken());
        assertAt(clock.instant(), completed.getCompleted());
        assertNull(completed.getLockToken());

        assertRefusedUnchanged(ConflictException.class, "JOB_COMPLETED", 409,
                () -> execute("complete_job", "job_id", job.getId()));

        JobV1 other = addJob("email", "user-2", 0);
        start(other.getId());
        assertNotNull(((JobV1) execute("complete_job", "job_id", other.getId())).getCompleted(),
                "the token is optional");
    }

    @Test
    void deleteJobByIdReturnsTheDeletedJobOrNull() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 other = addJob("email", "user-2", 0);
        assertEquals(job, execute("delete_job_by_id", "job_id", job.getId()));
        assertNull(execute("delete_job_by_id", "job_id", job.getId()));
        assertNull(controller.getJobById(CID, job.getId()));
        assertEquals(other, controller.getJobById(CID, other.getId()));
    }

    @Test
    void deleteJobsRemovesEveryJob() throws Exception {
        addJob("email", "user-1", 0);
        addJob("report", "order-1", 0);
        assertNull(execute("delete_jobs"));
        assertEquals(0, count());
    }

    // ---------------------------------------------------------------- parameters

    static Stream<Arguments> missingRequiredParameters() {
        Map<String, Object> noType = newJob("email", "user-1", 0);
        noType.remove("type");
        Map<String, Object> noRefId = newJob("email", "user-1", 0);
        noRefId.remove("ref_id");
        Map<String, Object> numericType = newJob("email", "user-1", 0);
        numericType.put("type", 42);
        return Stream.of(
                Arguments.of("add_job", new Object[]{}),
                Arguments.of("add_job", new Object[]{"new_job", noType}),
                Arguments.of("add_job", new Object[]{"new_job", noRefId}),
                Arguments.of("add_job", new Object[]{"new_job", numericType}),
                Arguments.of("add_uniq_job", new Object[]{}),
                Arguments.of("add_uniq_job", new Object[]{"new_job", noRefId}),
                Arguments.of("get_job_by_id", new Object[]{}),
                Arguments.of("start_job_by_id", new Object[]{"timeout", 1000}),
                Arguments.of("start_job_by_id", new Object[]{"job_id", "some-id"}),
                Arguments.of("start_job_by_type", new Object[]{"timeout", 1000}),
                Arguments.of("start_job_by_type", new Object[]{"type", "email"}),
                Arguments.of("extend_job", new Object[]{"timeout", 1000}),
                Arguments.of("extend_job", new Object[]{"job_id", "some-id"}),
                Arguments.of("abort_job", new Object[]{"lock_token", "token"}),
                Arguments.of("complete_job", new Object[]{"lock_token", "token"}),
                Arguments.of("delete_job_by_id", new Object[]{}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("missingRequiredParameters")
    void aMissingRequiredParameterIsInvalidData(String command, Object[] tuples) throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        Object[] withId = new Object[tuples.length];
        for (int i = 0; i < tuples.length; i++)
            withId[i] = "some-id".equals(tuples[i]) ? job.getId() : tuples[i];

        assertRefusedUnchanged(ValidationException.class, "INVALID_DATA", 400, () -> execute(command, withId));
        assertEquals(1, count());
    }

    static Stream<String> timeoutCommands() {
        return Stream.of("start_job_by_id", "start_job_by_type", "extend_job");
    }

    private Object[] timeoutCall(String command, String jobId, Object timeout) {
        return switch (command) {
            case "start_job_by_type" -> new Object[]{"type", "email", "timeout", timeout};
            default -> new Object[]{"job_id", jobId, "timeout", timeout};
        };
    }

    @ParameterizedTest
    @MethodSource("timeoutCommands")
    void aFractionalTimeoutIsInvalidTimeout(String command) throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        if (command.equals("extend_job"))
            start(job.getId());
        assertRefusedUnchanged(BadRequestException.class, "INVALID_TIMEOUT", 400,
                () -> execute(command, timeoutCall(command, job.getId(), 1.5)));
    }

    @ParameterizedTest
    @MethodSource("timeoutCommands")
    void anOutOfRangeTimeoutIsInvalidTimeout(String command) throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        if (command.equals("extend_job"))
            start(job.getId());
        for (Object bad : new Object[]{0, -1, JobsController.DEFAULT_MAX_TIMEOUT + 1, 1e300}) {
            assertRefusedUnchanged(BadRequestException.class, "INVALID_TIMEOUT", 400,
                    () -> execute(command, timeoutCall(command, job.getId(), bad)));
        }
    }

    @Test
    void aStringTimeoutIsInvalidTimeout() throws Exception {
        JobV1 job = addJob("email", "user-1", 0);
        JobV1 running = addJob("email", "user-2", 0);
        start(running.getId());
        assertAll(timeoutCommands().map(command -> (Executable) () -> assertRefusedUnchanged(BadRequestException.class,
                "INVALID_TIMEOUT", 400, () -> execute(command,
                        timeoutCall(command, command.equals("extend_job") ? running.getId() : job.getId(), "soon")))));
    }

    @Test
    void aWholeNumberTimeoutOfAnyJsonTypeIsAccepted() throws Exception {
        addJob("email", "user-1", 0);
        addJob("email", "user-2", 0);
        JobV1 asDouble = (JobV1) execute("start_job_by_type", "type", "email", "timeout", 2000.0);
        assertAt(clock.instant().plusMillis(2000), asDouble.getLockedUntil());
        JobV1 asLong = (JobV1) execute("start_job_by_type", "type", "email", "timeout", 3000L);
        assertAt(clock.instant().plusMillis(3000), asLong.getLockedUntil());
    }

    @Test
    void paramsOfANewJobKeepTheirShape() throws Exception {
        Map<String, Object> params = new HashMap<>();
        params.put("list", List.of(1, "two", Map.of("three", 3)));
        params.put("flag", false);
        Map<String, Object> newJob = newJob("email", "user-1", 0);
        newJob.put("params", params);
        JobV1 job = (JobV1) execute("add_job", "new_job", newJob);
        assertEquals(params, job.getParams());
        assertInstanceOf(Map.class, controller.getJobById(CID, job.getId()).getParams());
        assertEquals(params, controller.getJobById(CID, job.getId()).getParams());
    }
}
