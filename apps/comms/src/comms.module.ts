import { Module } from '@nestjs/common';

/** The comms service's features; each capability issue adds its feature module here. */
@Module({ imports: [] })
export class CommsModule {}
