package org.servicejobs.clients.version1;

import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.TestService;

/** The client contract on the direct client: the controller in this process. */
class JobsDirectClientV1Test extends JobsClientV1Fixture {
    @Override
    protected IJobsClientV1 addClient(TestService service) {
        JobsDirectClientV1 client = new JobsDirectClientV1();
        service.with(new Descriptor("pip-services-jobs", "client", "direct", "default", "1.0"), client);
        return client;
    }
}
