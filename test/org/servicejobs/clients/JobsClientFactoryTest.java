package org.servicejobs.clients;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.build.JobsClientFactory;
import org.servicejobs.clients.version1.IJobsClientV1;
import org.servicejobs.clients.version1.JobsDirectClientV1;
import org.servicejobs.clients.version1.JobsHttpClientV1;
import org.servicejobs.clients.version1.JobsNullClientV1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The client factory creates each client by its descriptor, a new one each time. */
class JobsClientFactoryTest {
    private final JobsClientFactory factory = new JobsClientFactory();

    @Test
    void createsEachClientByDescriptor() throws Exception {
        assertInstanceOf(JobsHttpClientV1.class, create("http"));
        assertInstanceOf(JobsDirectClientV1.class, create("direct"));
        assertInstanceOf(JobsNullClientV1.class, create("null"));
        assertNotSame(create("http"), create("http"));
    }

    @Test
    void descriptorsFollowTheServiceNaming() {
        assertEquals("pip-services-jobs:client:http:*:1.0", JobsClientFactory.HttpClientV1Descriptor.toString());
        assertEquals("pip-services-jobs:client:direct:*:1.0", JobsClientFactory.DirectClientV1Descriptor.toString());
        assertEquals("pip-services-jobs:client:null:*:1.0", JobsClientFactory.NullClientV1Descriptor.toString());
        assertEquals("pip-services-jobs:factory:client:default:1.0", JobsClientFactory.Descriptor.toString());
    }

    @Test
    void createsNothingForAnotherDescriptor() {
        assertNull(factory.canCreate(new Descriptor("pip-services-jobs", "client", "grpc", "default", "1.0")));
        assertNull(factory.canCreate(new Descriptor("pip-services-jobs", "controller", "default", "default", "1.0")));
    }

    private IJobsClientV1 create(String kind) throws Exception {
        return (IJobsClientV1) factory.create(new Descriptor("pip-services-jobs", "client", kind, "default", "1.0"));
    }
}
