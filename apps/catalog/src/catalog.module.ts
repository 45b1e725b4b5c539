import { Module } from '@nestjs/common';

/** The catalog service's features; each capability issue adds its feature module here. */
@Module({ imports: [] })
export class CatalogModule {}
