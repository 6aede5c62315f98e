package org.servicejobs.clients.version1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.FreePort;
import org.servicejobs.container.JobsProcess;
import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.logic.IJobsController;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java examples of README.md, compiled and run. Each is the code between a
 * <code>// README: name</code> line and the next <code>// README: end</code> line, copied into
 * the README as it is. Runs with the project root as working directory (as Maven runs tests).
 */
class ReadmeExamplesTest {
    private static final String CONFIG_PATH = "./config/config.yml";
    private static final Descriptor CONTROLLER = new Descriptor("pip-services-jobs", "controller", "*", "*", "1.0");

    private final List<JobsProcess> services = new ArrayList<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final CountDownLatch emailSent = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws ApplicationException {
        for (JobsProcess service : services)
            service.close("readme-test");
    }

    /** The service in this JVM with the memory store, as the examples' remote service. */
    private JobsProcess startService(int port) throws ApplicationException {
        JobsProcess service = new JobsProcess();
        services.add(service);
        service.start("readme-test", CONFIG_PATH, ConfigParams.fromTuples("HTTP_PORT", port, "MEMORY_ENABLED", "true"));
        return service;
    }

    private static IJobsController controller(JobsProcess service) throws ApplicationException {
        return (IJobsController) service.getReferences().getOneRequired(CONTROLLER);
    }

    /** The worker example's handler: records the address. */
    private void sendEmail(String to) {
        sent.add(to);
        emailSent.countDown();
    }

    /** The worker example's wait for the application to stop: here, for the email to be sent. */
    private void awaitShutdown() throws InterruptedException {
        assertTrue(emailSent.await(10, TimeUnit.SECONDS), "no email was sent");
    }

    /** Each example of this class is in the README as it is here (without the indentation of the method). */
    @Test
    void everyExampleIsInTheReadme() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> lines = Files.readAllLines(Path.of("test", "org", "servicejobs", "clients", "version1",
                "ReadmeExamplesTest.java"));
        int examples = 0;
        StringBuilder example = null;
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.startsWith("// README: ") && !trimmed.equals("// README: end")) {
                example = new StringBuilder();
            } else if (trimmed.equals("// README: end") && example != null) {
                assertTrue(readme.contains("```java\n" + example + "```"), "not in README.md:\n" + example);
                examples++;
                example = null;
            } else if (example != null) {
                example.append(line.length() >= 8 ? line.substring(8) : line.trim()).append('\n');
            }
        }
        assertEquals(4, examples, "the examples of this class");
    }

    @Test
    void clientOfARemoteService() throws Exception {
        int port = FreePort.find();
        JobsProcess service = startService(port);

        // README: client
        JobsHttpClientV1 client = new JobsHttpClientV1();
        client.configure(ConfigParams.fromTuples(
                "connection.protocol", "http", "connection.host", "localhost", "connection.port", port));
        client.open(null);

        client.addJob(null, new NewJobV1("email", "user-1", 3_600_000L, Map.of("to", "a@example.com")));
        JobV1 job = client.startJobByType(null, "email", 30_000);   // a 30 s lease, or null
        if (job != null) {
            // ... work, calling extendJob(null, job.getId(), 30_000, job.getLockToken()) before the lease ends
            client.completeJob(null, job.getId(), job.getLockToken());
        }
        client.close(null);
        // README: end

        assertNotNull(job);
        assertEquals(Map.of("to", "a@example.com"), job.getParams());
        JobV1 completed = controller(service).getJobById(null, job.getId());
        assertNotNull(completed.getCompleted());
        assertNull(completed.getLockToken());
    }

    @Test
    void batchesOfJobs() throws Exception {
        int port = FreePort.find();
        startService(port);
        JobsHttpClientV1 client = new JobsHttpClientV1();
        client.configure(ConfigParams.fromTuples(
                "connection.protocol", "http", "connection.host", "localhost", "connection.port", port));
        client.open(null);

        // README: batch
        List<NewJobV1> reminders = new ArrayList<>();
        for (String user : List.of("user-1", "user-2", "user-3")) {
            NewJobV1 reminder = new NewJobV1("reminder", user, null, Map.of("text", "Your order shipped"));
            reminder.setPriority(5);                                          // leased before priority 0
            reminder.setMaxRetries(3);
            reminder.setBackoff(new JobBackoffV1("exponential", 1_000, 60_000L));   // 1 s, 2 s, 4 s... at most 1 min
            reminders.add(reminder);
        }
        client.addJobs(null, reminders);                                      // one call, all or none

        List<JobV1> leased = client.startJobsByType(null, "reminder", 30_000, 10, 20_000);   // up to 10, each its own lease
        List<JobCompletionV1> done = new ArrayList<>();
        for (JobV1 job : leased)
            done.add(new JobCompletionV1(job.getId(), job.getLockToken(), Map.of("sent", true)));
        JobsBatchV1 answer = client.completeJobs(null, done);                 // each on its own: see answer.errors()
        // README: end

        assertEquals(3, leased.size());
        assertEquals(List.of(), answer.errors() == null ? List.of() : answer.errors());
        for (JobV1 job : answer.data()) {
            assertEquals(JobState.COMPLETED, job.getState());
            assertEquals(Map.of("sent", true), job.getResult());
            assertEquals(5, job.getPriority());
            assertEquals(3, job.getMaxRetries());
        }
        client.close(null);
    }

    @Test
    void serviceEmbeddedInAnotherProcess() throws Exception {
        int port = FreePort.find();

        // README: embedded
        JobsProcess service = new JobsProcess();
        service.start("my-app", "./config/config.yml",
                ConfigParams.fromTuples("HTTP_PORT", port, "MEMORY_ENABLED", "true"));

        JobsDirectClientV1 client = new JobsDirectClientV1();   // finds the service's controller
        client.setReferences(service.getReferences());
        client.open("my-app");
        JobV1 job = client.addUniqJob("my-app", new NewJobV1("report", "order-1", null, Map.of("format", "pdf")));
        // ... other processes reach the same jobs on http://localhost:<port>/v1/jobs
        client.close("my-app");
        service.close("my-app");
        // README: end

        assertNotNull(job.getId());
        assertEquals("report", job.getType());
        assertEquals(Map.of("format", "pdf"), job.getParams());
        assertFalse(service.isOpen());
    }

    @Test
    void workerInTenLines() throws Exception {
        JobsProcess service = startService(FreePort.find());
        JobsDirectClientV1 client = new JobsDirectClientV1();
        client.setReferences(service.getReferences());
        client.open(null);
        JobV1 added = client.addJob(null, new NewJobV1("email", "user-1", null, Map.of("to", "a@example.com")));

        // README: worker
        try (JobsWorker worker = JobsWorker.builder(client, "email", context -> {
                    Map<?, ?> params = (Map<?, ?>) context.getJob().getParams();
                    sendEmail((String) params.get("to"));     // an exception gives the job back
                })
                .concurrency(4)                               // jobs at once
                .leaseTimeout(Duration.ofMinutes(1))          // extended every 30 s while a job runs
                .build()) {
            worker.start();
            awaitShutdown();                                  // until the application stops
        }                                                     // close(): running jobs get 30 s to end
        // README: end

        assertEquals(List.of("a@example.com"), sent);
        JobV1 completed = client.getJobById(null, added.getId());
        assertNotNull(completed.getCompleted());
        assertEquals(1, completed.getRetries());
        client.close(null);
    }
}
