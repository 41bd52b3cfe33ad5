using Microsoft.EntityFrameworkCore;

namespace TokenBroker.TestAuthServer;

/// <summary>OpenIddict's EF Core stores: applications, authorizations and tokens are tracked, so replay and rotation are enforced.</summary>
public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options);
