using Microsoft.AspNetCore.Authorization;

namespace AuthApiTemplate.Auth;

/// <summary>
/// Like the framework's <see cref="AuthorizationHandler{TRequirement}"/>, for checks that finish at once.
/// That base class enumerates the policy's requirements through a LINQ <c>OfType</c> iterator and an async
/// method on every request, for every registered handler; this one walks the requirement list in place.
/// </summary>
public abstract class RequirementHandler<TRequirement> : IAuthorizationHandler
    where TRequirement : IAuthorizationRequirement
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        if (context.Requirements is IReadOnlyList<IAuthorizationRequirement> requirements)
        {
            for (var i = 0; i < requirements.Count; i++)
            {
                if (requirements[i] is TRequirement requirement)
                {
                    Handle(context, requirement);
                }
            }
        }
        else
        {
            foreach (var candidate in context.Requirements)
            {
                if (candidate is TRequirement requirement)
                {
                    Handle(context, requirement);
                }
            }
        }

        return Task.CompletedTask;
    }

    protected abstract void Handle(AuthorizationHandlerContext context, TRequirement requirement);
}
