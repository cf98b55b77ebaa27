import type { CatalogRepo } from './store/catalog-repo.ts';
import type { RedemptionRepo } from './store/redemption-repo.ts';
import type { LedgerPort } from './service/ports.ts';
import type { RedemptionService } from './service/redemption-service.ts';
import type { CredentialResolver } from './device/credential-resolver.ts';

/** What the HTTP API and the CLI need of the redemption engine. */
export interface RedemptionModule {
  service: RedemptionService;
  catalog: CatalogRepo;
  redemptions: RedemptionRepo;
  ledger: LedgerPort;
  resolver: CredentialResolver;
}
