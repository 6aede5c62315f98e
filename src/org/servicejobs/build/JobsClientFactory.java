package org.servicejobs.build;

import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.components.build.Factory;
import org.servicejobs.clients.version1.JobsDirectClientV1;
import org.servicejobs.clients.version1.JobsHttpClientV1;
import org.servicejobs.clients.version1.JobsNullClientV1;

/**
 * Creates the clients of the jobs service by their descriptors.
 *
 * @see JobsHttpClientV1
 * @see JobsDirectClientV1
 * @see JobsNullClientV1
 */
public class JobsClientFactory extends Factory {
    public static final Descriptor Descriptor = new Descriptor("pip-services-jobs", "factory", "client", "default", "1.0");
    public static final Descriptor HttpClientV1Descriptor = new Descriptor("pip-services-jobs", "client", "http", "*", "1.0");
    public static final Descriptor DirectClientV1Descriptor = new Descriptor("pip-services-jobs", "client", "direct", "*", "1.0");
    public static final Descriptor NullClientV1Descriptor = new Descriptor("pip-services-jobs", "client", "null", "*", "1.0");

    public JobsClientFactory() {
        registerAsType(HttpClientV1Descriptor, JobsHttpClientV1.class);
        registerAsType(DirectClientV1Descriptor, JobsDirectClientV1.class);
        registerAsType(NullClientV1Descriptor, JobsNullClientV1.class);
    }
}
