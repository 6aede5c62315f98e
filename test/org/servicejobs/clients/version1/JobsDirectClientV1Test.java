package org.servicejobs.clients.version1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.References;
import org.pipservices3.commons.refer.Referencer;
import org.pipservices3.commons.run.Closer;
import org.pipservices3.commons.run.Opener;
import org.servicejobs.logic.JobsController;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The client contract on the direct client: the controller in this process, on the memory store. */
class JobsDirectClientV1Test {
    private List<Object> components = List.of();
    private JobsClientV1Fixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        ObservedJobsPersistence store = new ObservedJobsPersistence();
        JobsController controller = new JobsController();
        // A long wait poll interval: a long-poll that returns within a second was woken by the new job.
        controller.configure(ConfigParams.fromTuples("options.clean_interval", 0, "options.wait_poll_interval", 60_000));
        JobsDirectClientV1 client = new JobsDirectClientV1();

        References references = References.fromTuples(
                new Descriptor("pip-services-jobs", "persistence", "memory", "default", "1.0"), store,
                new Descriptor("pip-services-jobs", "controller", "default", "default", "1.0"), controller,
                new Descriptor("pip-services-jobs", "client", "direct", "default", "1.0"), client);
        components = List.of(store, controller, client);
        Referencer.setReferences(references, components);
        Opener.open(null, components);
        fixture = new JobsClientV1Fixture(client, store);
    }

    @AfterEach
    void tearDown() throws Exception {
        List<Object> reversed = new ArrayList<>(components);
        Collections.reverse(reversed);
        components = List.of();
        Closer.close(null, reversed);
    }

    @Test
    void crudOperations() throws Exception {
        fixture.testCrudOperations();
    }

    @Test
    void addUniqJob() throws Exception {
        fixture.testAddUniqJob();
    }

    @Test
    void leaseExtendAndComplete() throws Exception {
        fixture.testLeaseExtendAndComplete();
    }

    @Test
    void abortAndLeaseAgain() throws Exception {
        fixture.testAbortAndLeaseAgain();
    }

    @Test
    void startJobById() throws Exception {
        fixture.testStartJobById();
    }

    @Test
    void typedErrors() throws Exception {
        fixture.testTypedErrors();
    }

    @Test
    void nullWhenNothingIsFound() throws Exception {
        fixture.testNullWhenNothingIsFound();
    }

    @Test
    void paramsRoundTrip() throws Exception {
        fixture.testParamsRoundTrip();
    }

    @Test
    void dates() throws Exception {
        fixture.testDates();
    }

    @Test
    void longPollGetsAJobAddedWhileItWaits() throws Exception {
        fixture.testLongPollGetsAJobAddedWhileItWaits();
    }

    @Test
    void longPollReturnsNullAfterItsWait() throws Exception {
        fixture.testLongPollReturnsNullAfterItsWait();
    }
}
