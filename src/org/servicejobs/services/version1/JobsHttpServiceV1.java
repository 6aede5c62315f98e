package org.servicejobs.services.version1;

import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.services.CommandableJsonHttpService;

/**
 * The HTTP protocol v1 of the jobs service: every command of the controller as
 * <code>POST /v1/jobs/&lt;command&gt;</code> (see doc/HttpProtocolV1.md).
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>base_route: base route (default v1/jobs)</li>
 * <li>options.request_max_size: the largest request body in bytes (default 1048576)</li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>pip-services-jobs:controller:*:*:1.0 the jobs controller</li>
 * <li>*:endpoint:http:*:1.0 (optional) the shared HTTP endpoint</li>
 * <li>*:logger:*:*:1.0, *:counters:*:*:1.0 (optional) logging and counters</li>
 * </ul>
 */
public class JobsHttpServiceV1 extends CommandableJsonHttpService {
    public JobsHttpServiceV1() {
        super("v1/jobs");
        _dependencyResolver.put("controller", new Descriptor("pip-services-jobs", "controller", "*", "*", "1.0"));
    }
}
