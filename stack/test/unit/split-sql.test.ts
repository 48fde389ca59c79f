import { describe, expect, it } from 'vitest';
import { splitSql } from '../../src/components/postgres.js';

describe('splitSql', () => {
  it('splits on semicolons outside quotes and comments', () => {
    const sql = `-- a comment; not a statement\nCREATE DATABASE a;\nSELECT 'x;y', "we;ird";  -- trailing; comment\n\nCREATE DATABASE b`;
    expect(splitSql(sql)).toEqual(['CREATE DATABASE a', `SELECT 'x;y', "we;ird"`, 'CREATE DATABASE b']);
  });

  it('returns nothing for comments only', () => {
    expect(splitSql('-- nothing here;\n\n')).toEqual([]);
  });
});
