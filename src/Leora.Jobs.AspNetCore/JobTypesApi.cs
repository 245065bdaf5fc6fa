using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Leora.Jobs.AspNetCore;

/// <summary>The handler of <c>GET /api/jobs/types</c>: the registered job types and their payload schemas.</summary>
internal static class JobTypesApi
{
    public static Ok<JobTypeListResponse> List(JobPayloadSchemas schemas) =>
        TypedResults.Ok(new JobTypeListResponse([.. schemas.All.Select(s => new JobTypeResponse(s.Type, s.Schema))]));
}
