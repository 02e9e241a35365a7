namespace Serverless.Domain.Roles;

public static class UserRoleRules
{
    public static IReadOnlyList<FieldError> Validate(UserRole link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var errors = new FieldErrorCollector();
        errors.NotEmpty("userId", link.UserId);
        errors.NotEmpty("roleId", link.RoleId);
        errors.RequiredString("roleName", link.RoleName);
        return errors.Errors;
    }

    public static void EnsureValid(UserRole link) => ValidationException.ThrowIfAny(Validate(link));
}
